package data_test

import (
	"context"
	"fmt"
	"log"

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
