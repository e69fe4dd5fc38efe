package data

import (
	"fmt"
	"maps"
	"slices"
)

// format says how a dataset's files are read.
type format int

const (
	formatSynthetic format = iota
	formatIDX              // images + labels IDX files per split
	formatCIFAR            // CIFAR-10 binary batches
	formatFolder           // ImageNet-style class folders
)

// A spec describes one named dataset: its shape and statistics, the files
// of each split, and where to download them.
type spec struct {
	title            string // the dataset's usual spelling, for messages
	format           format
	c, h, w, classes int // classes 0: the folders say (imagenet)
	classNames       []string
	mean, std        []float32

	// files holds, per split, the file names looked for. IDX names are
	// given without ".gz": either the compressed or the raw file will do.
	files [2][]string

	remote *remote // nil: never downloaded
}

// A remote says where a dataset is downloaded from. Each file is fetched
// from the first base URL that serves it with the pinned size and
// SHA-256; when archive is set, files holds one tar.gz whose members
// under archiveDir are the split files.
type remote struct {
	urls       []string
	files      []remoteFile
	archive    bool
	archiveDir string
}

type remoteFile struct {
	name   string
	size   int64
	sha256 string
}

// datasets is the registry: one entry per name, sorted.
//
// Checksums are SHA-256 of the files as the publishers serve them, each
// found in at least two independent public records of the same files
// (dataset loaders of other frameworks that pin them). The Fashion-MNIST
// ones are also checked here against Debian's dataset-fashion-mnist, which
// ships the official deflate streams behind a rewritten gzip header:
// TestPinnedFashionMNISTChecksums rebuilds the official files from it byte
// for byte, and TestDebianFashionMNIST checks the IDX contents.
var datasets = map[string]*spec{
	"cifar10": {
		title:  "CIFAR-10",
		format: formatCIFAR,
		c:      3, h: 32, w: 32, classes: 10,
		classNames: []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"},
		// Per-channel mean and std of pixel/255 over the 50000 training
		// images (the population std; the often-quoted 0.2023, 0.1994,
		// 0.2010 are the mean of per-image stds, a different quantity).
		mean: []float32{0.4914, 0.4822, 0.4465},
		std:  []float32{0.2470, 0.2435, 0.2616},
		files: [2][]string{
			{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"},
			{"test_batch.bin"},
		},
		remote: &remote{
			urls: []string{"https://www.cs.toronto.edu/~kriz/"},
			files: []remoteFile{
				{"cifar-10-binary.tar.gz", 170052171, "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"},
			},
			archive:    true,
			archiveDir: "cifar-10-batches-bin",
		},
	},
	"fashion-mnist": {
		title:  "Fashion-MNIST",
		format: formatIDX,
		c:      1, h: 28, w: 28, classes: 10,
		classNames: []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
		// The values the Fashion-MNIST literature normalizes with (mean and
		// std of pixel/255 over the training set).
		mean: []float32{0.2860},
		std:  []float32{0.3530},
		files: [2][]string{
			{"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
			{"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
		},
		remote: &remote{
			// The project's README names the S3 site; its GitHub
			// repository serves the same files over HTTPS.
			urls: []string{
				"https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
				"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
			},
			files: []remoteFile{
				{"train-images-idx3-ubyte.gz", 26421880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"},
				{"train-labels-idx1-ubyte.gz", 29515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"},
				{"t10k-images-idx3-ubyte.gz", 4422102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"},
				{"t10k-labels-idx1-ubyte.gz", 5148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"},
			},
		},
	},
	"imagenet": {
		title:  "ImageNet",
		format: formatFolder,
		c:      3,
		// The statistics torchvision's pretrained ImageNet models use.
		mean:  []float32{0.485, 0.456, 0.406},
		std:   []float32{0.229, 0.224, 0.225},
		files: [2][]string{{"train"}, {"val"}},
	},
	"mnist": {
		title:  "MNIST",
		format: formatIDX,
		c:      1, h: 28, w: 28, classes: 10,
		classNames: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
		mean:       []float32{0.1307},
		std:        []float32{0.3081},
		files: [2][]string{
			{"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
			{"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
		},
		remote: &remote{
			// The original page (yann.lecun.com/exdb/mnist) no longer
			// serves the files; these are the mirrors PyTorch and
			// TensorFlow download the identical files from.
			urls: []string{
				"https://ossci-datasets.s3.amazonaws.com/mnist/",
				"https://storage.googleapis.com/cvdf-datasets/mnist/",
			},
			files: []remoteFile{
				{"train-images-idx3-ubyte.gz", 9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
				{"train-labels-idx1-ubyte.gz", 28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
				{"t10k-images-idx3-ubyte.gz", 1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
				{"t10k-labels-idx1-ubyte.gz", 4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
			},
		},
	},
	"synthetic": {
		title:  "synthetic",
		format: formatSynthetic,
	},
}

// Names returns the names Open accepts, sorted.
func Names() []string { return slices.Sorted(maps.Keys(datasets)) }

// Shape returns the image shape and class count of the named dataset
// when they are fixed without reading anything (CIFAR-10, Fashion-MNIST,
// MNIST), and false for one whose files or options say (ImageNet, the
// synthetic dataset) or an unknown name. A command that needs a given
// shape checks it before Open downloads a dataset of another.
func Shape(name string) (c, h, w, classes int, ok bool) {
	s, known := datasets[name]
	if !known || s.format == formatSynthetic || s.format == formatFolder {
		return 0, 0, 0, 0, false
	}
	return s.c, s.h, s.w, s.classes, true
}

// Doc returns a one-line description of the named dataset for listings:
// its image shape and classes, and how Open gets its files (see Open for
// the places it looks in), or "" for an unknown name.
func Doc(name string) string {
	s, ok := datasets[name]
	if !ok {
		return ""
	}
	switch s.format {
	case formatSynthetic:
		tr, te := SyntheticConfig{}.withDefaults(Train), SyntheticConfig{}.withDefaults(Test)
		return fmt.Sprintf("generated in memory, no files: %d×%d×%d, %d classes, %d training and %d test images by default",
			tr.C, tr.H, tr.W, tr.Classes, tr.N, te.N)
	case formatFolder:
		return fmt.Sprintf("%s: %d channels, a folder per class under %s/ and %s/; never downloaded", s.title, s.c, s.files[Train][0], s.files[Test][0])
	}
	how := "never downloaded"
	if s.remote != nil {
		how = "downloaded when not found (size and SHA-256 checked)"
	}
	return fmt.Sprintf("%s: %d×%d×%d, %d classes; %s", s.title, s.c, s.h, s.w, s.classes, how)
}
