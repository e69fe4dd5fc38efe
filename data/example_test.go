package data_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/gradbench/gradbench/data"
)

func Example() {
	train, err := data.Synthetic(data.Train, data.SyntheticConfig{N: 1000, C: 1, H: 28, W: 28, Classes: 10, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train)

	l, err := data.NewLoader(train, data.TrainConfig(train, 128, 1))
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	fmt.Println("batches per epoch:", l.Batches())

	it := l.Epoch(context.Background(), 0)
	defer it.Close()
	for it.Next() {
		b := it.Batch()
		if b.Index == 0 || b.Index == l.Batches()-1 {
			fmt.Printf("batch %d: x %d×%d×%d×%d (%d floats), y %d labels\n", b.Index, b.N, b.C, b.H, b.W, len(b.X), len(b.Y))
		}
	}
	if err := it.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// synthetic train: 1000 images 1×28×28, 10 classes
	// batches per epoch: 8
	// batch 0: x 128×1×28×28 (100352 floats), y 128 labels
	// batch 7: x 104×1×28×28 (81536 floats), y 104 labels
}

// Open reads a dataset from an explicit directory (the command line's
// --data), here two Fashion-MNIST-shaped images written on the spot; a
// directory without the split is an error naming the files expected.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	images := []byte{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28} // IDX: 2 images of 28×28
	images = append(images, make([]byte, 2*28*28)...)
	labels := []byte{0, 0, 8, 1, 0, 0, 0, 2, 9, 0} // IDX: 2 labels, 9 and 0
	os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte"), images, 0o644)
	os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), labels, 0o644)

	ctx := context.Background()
	train, err := data.Open(ctx, "fashion-mnist", data.Train, data.Options{Dir: dir})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train)
	fmt.Println("first image:", train.ClassNames[train.Labels[0]])

	_, err = data.Open(ctx, "fashion-mnist", data.Test, data.Options{Dir: dir})
	fmt.Println(strings.ReplaceAll(err.Error(), dir, "DIR"))
	// Output:
	// fashion-mnist train: 2 images 1×28×28, 10 classes
	// first image: Ankle boot
	// data: fashion-mnist: test split not found in data directory DIR: want t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] in it or in DIR/fashion-mnist
}
