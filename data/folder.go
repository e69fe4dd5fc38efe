package data

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // ImageNet's JPEG files
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/image/draw"
)

// ImageNet-style folders: root/train/CLASS/*.{JPEG,jpg,jpeg,png} and
// root/val/CLASS/..., any number of classes and images (ImageNet-1k,
// ImageNet-100, Imagenette...). The classes are the sorted folder names of
// train/ (of val/ when there is no train/), so that both splits number
// them alike; a val/ folder that is not a training class is an error.
const (
	defaultResolution  = 224
	defaultMemoryLimit = 16 << 30
	maxResolution      = 4096
	maxImagePixels     = 1 << 26 // refuse to decode larger images (a corrupt header)
)

// imageExts are the file extensions decoded, compared case-insensitively;
// other files are ignored.
var imageExts = []string{".jpeg", ".jpg", ".png"}

// storedSide returns the side of the square images stored for a network
// input of res×res: res·256/224 rounded, the customary ratio of the
// resize before the 224×224 crop.
func storedSide(res int) int { return (res*256 + 112) / 224 }

// folderClasses returns the sorted class folder names of root/train, or of
// root/val when there is no train folder.
func folderClasses(root string) ([]string, string, error) {
	dir := filepath.Join(root, "train")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		dir = filepath.Join(root, "val")
	}
	classes, err := subdirs(dir)
	if err != nil {
		return nil, "", err
	}
	if len(classes) == 0 {
		return nil, "", fmt.Errorf("data: %s holds no class folders, want %s/CLASS/*.JPEG", dir, dir)
	}
	return classes, dir, nil
}

// subdirs returns the sorted names of the directories in dir, hidden ones
// (starting with ".") left out.
func subdirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names, nil // ReadDir sorts by name
}

func isImage(name string) bool {
	return !strings.HasPrefix(name, ".") && slices.Contains(imageExts, strings.ToLower(filepath.Ext(name)))
}

// listFolder returns the image files of one split and their labels, in
// class then file-name order.
func listFolder(root string, split Split, classes []string, classDir string) (files []string, labels []int32, err error) {
	dir := filepath.Join(root, datasets["imagenet"].files[split][0])
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	loose := 0
	for _, e := range entries {
		if !e.IsDir() && isImage(e.Name()) {
			loose++
		}
	}
	names, err := subdirs(dir)
	if err != nil {
		return nil, nil, err
	}
	if len(names) == 0 && loose > 0 {
		return nil, nil, fmt.Errorf("data: %s holds %d images directly, want them sorted into class folders %s/CLASS/ (named as in %s)", dir, loose, dir, classDir)
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("data: %s holds no class folders, want %s/CLASS/*.JPEG", dir, dir)
	}
	for _, name := range names {
		k, ok := slices.BinarySearch(classes, name)
		if !ok {
			return nil, nil, fmt.Errorf("data: class folder %s is not one of the %d classes of %s", filepath.Join(dir, name), len(classes), classDir)
		}
		cdir := filepath.Join(dir, name)
		entries, err := os.ReadDir(cdir)
		if err != nil {
			return nil, nil, fmt.Errorf("data: %w", err)
		}
		n := 0
		for _, e := range entries {
			if e.Type().IsRegular() && isImage(e.Name()) {
				files = append(files, filepath.Join(cdir, e.Name()))
				labels = append(labels, int32(k))
				n++
			}
		}
		if n == 0 {
			return nil, nil, fmt.Errorf("data: class folder %s is empty: want at least one .JPEG, .jpg, .jpeg or .png image", cdir)
		}
	}
	return files, labels, nil
}

// readFolder decodes one split of an ImageNet-style tree, in parallel,
// into side×side images (side = storedSide(resolution)) with Crop set to
// the resolution.
func readFolder(ctx context.Context, root string, split Split, opt Options) (*Dataset, error) {
	res := opt.Resolution
	if res == 0 {
		res = defaultResolution
	}
	if res < 1 || res > maxResolution {
		return nil, fmt.Errorf("data: imagenet: resolution %d, want 1..%d", res, maxResolution)
	}
	limit := opt.MemoryLimit
	if limit == 0 {
		limit = defaultMemoryLimit
	}
	classes, classDir, err := folderClasses(root)
	if err != nil {
		return nil, err
	}
	files, labels, err := listFolder(root, split, classes, classDir)
	if err != nil {
		return nil, err
	}
	side := storedSide(res)
	size := 3 * side * side
	if need := int64(len(files)) * int64(size); need > limit {
		return nil, fmt.Errorf("data: imagenet: %d %s images at 3×%d×%d take %s in memory, more than the limit of %s: use a subset (Imagenette, ImageNet-100) or a smaller resolution",
			len(files), split, side, side, byteSize(need), byteSize(limit))
	} else if need > math.MaxInt {
		// Within the limit, but not one slice of a 32-bit build: its
		// size would wrap.
		return nil, fmt.Errorf("data: imagenet: %d %s images at 3×%d×%d take %s in memory, more than this build can hold in one slice (%s, a 32-bit build): use a subset (Imagenette, ImageNet-100), a smaller resolution or a 64-bit build",
			len(files), split, side, side, byteSize(need), byteSize(math.MaxInt))
	}
	d := &Dataset{
		N: len(files), C: 3, H: side, W: side, Classes: len(classes), ClassNames: classes, Crop: res,
		Pixels: make([]uint8, len(files)*size), Labels: labels,
	}
	if err := decodeAll(ctx, files, d.Pixels, side, opt); err != nil {
		return nil, err
	}
	return d, nil
}

// decodeAll decodes files[i] into pixels[i*3*side*side:] on GOMAXPROCS
// goroutines and returns the first error met (decoding stops then).
func decodeAll(ctx context.Context, files []string, pixels []uint8, side int, opt Options) error {
	size := 3 * side * side
	p := newProgress(opt, fmt.Sprintf("decoding %d images", len(files)), int64(len(files)), false)
	start := time.Now()
	var (
		next   atomic.Int64
		failed atomic.Bool
		mu     sync.Mutex
		first  error
		wg     sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		failed.Store(true)
	}
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			dst := image.NewRGBA(image.Rect(0, 0, side, side))
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(fmt.Errorf("data: decoding images: %w", err))
					return
				}
				if err := decodeImage(files[i], pixels[i*size:(i+1)*size], dst); err != nil {
					fail(err)
					return
				}
				p.add(1)
			}
		})
	}
	wg.Wait()
	p.stop()
	if first != nil {
		return first
	}
	p.done(fmt.Sprintf("decoded %d images to 3×%d×%d in %.1f s", len(files), side, side, time.Since(start).Seconds()))
	return nil
}

// decodeImage decodes the JPEG or PNG file path, scales its central square
// to dst's size with a bilinear filter (antialiased when shrinking) and
// writes it as 3 planes R, G, B into out.
func decodeImage(path string, out []uint8, dst *image.RGBA) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("data: %s: undecodable image: %w", path, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
		return fmt.Errorf("data: %s: image of %d×%d pixels, want a positive size of at most %d pixels", path, cfg.Width, cfg.Height, maxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("data: %s: undecodable image: %w", path, err)
	}
	r := img.Bounds()
	s := min(r.Dx(), r.Dy())
	x0, y0 := r.Min.X+(r.Dx()-s)/2, r.Min.Y+(r.Dy()-s)/2
	draw.BiLinear.Scale(dst, dst.Bounds(), img, image.Rect(x0, y0, x0+s, y0+s), draw.Src, nil)
	plane := dst.Rect.Dx() * dst.Rect.Dy()
	pix := dst.Pix
	for i := range plane {
		out[i] = pix[4*i]
		out[plane+i] = pix[4*i+1]
		out[2*plane+i] = pix[4*i+2]
	}
	return nil
}
