// Package fidelity measures what an estimator's gradient is worth on a given
// network state: the exact effect of flipping single binary weights against
// the effect the estimator's backward pass predicts, and the agreement
// between the latent gradients of several estimators.
//
// # The true loss
//
// All measurements run on one network state W (latent weights and BatchNorm
// statistics) and a fixed evaluation batch, with BatchNorm in training mode
// as in a training step. The true loss L(W) is the loss of the binary
// network: sign forward, no noise-adaptation term (α = 0), no surrogate.
// Running statistics that a training-mode forward updates are restored
// afterwards, so a measurement leaves the state as it found it.
//
// # Flip fidelity
//
// Flipping the sign of one binary weight b_i is the only thing a step on
// latent weights can change in a binary layer's forward pass. For a sample
// of weights of each binary layer (Sample: uniform over the layer, and
// among the 10% smallest |w|) TrueChanges computes the exact change
//
//	ΔL_i = L(b_i → −b_i) − L
//
// by negating the latent weight, which keeps the layer's scale factors
// s_o = mean|W_o| unchanged, and Predicted the change an estimator's
// backward pass predicts to first order,
//
//	δ_i = −2·b_i·∂L_E/∂b_i,  ∂L_E/∂b_i = s_o·∂L_E/∂(s_o·b_i),
//
// with the estimator's surrogates on every binary activation downstream and
// its noise-adaptation backward, if it has one. b_i is sign(w_i): an
// estimator whose weights' forward pass is not sign (an
// estimators.Binarizer, such as BiPer's sign(sin(ω·w))) differentiates
// another network, and gradbench fidelity refuses it, and the runs
// trained with one. Score compares the two: the
// Pearson and Spearman correlations, the sign agreement over the weights
// whose |ΔL| is above float noise, and the top-k precision (of the k weights
// predicted to lower the loss most, the fraction that really do) against the
// base rate. Bootstrap gives percentile intervals of the scores over the
// sampled weights. The last binary layer has nothing binary downstream, so
// its δ is the same for every estimator: it is the control.
//
// # Descent and agreement
//
// LatentGrads returns the latent-weight gradient of every binary layer after
// one backward pass; Cosine compares two of them. Descent steps the binary
// layers' latent weights along such a direction, W' = W − η·g, and returns
// the true-loss change and the number of signs flipped, and RandomLike draws
// the direction with the same per-layer norms that carries no information.
//
// # Over evaluation batches
//
// Bootstrap's intervals are over the sampled weights of one evaluation
// batch. OverBatches gives the other source of variation: with the flips
// and predictions measured on several evaluation batches, the scores of
// each batch, their mean and a percentile interval over resamples of the
// batches with replacement.
//
// # Cores and determinism
//
// TrueChangesEach and DescentOn split independent passes over the worker
// pool (internal/parallel), one Worker (a network with its loss, in the
// same state as the others) per core: contiguous runs of flips, in layer
// order, or whole descent directions. Each worker runs its own unflipped
// pass and then its flips, each from the top-level block of the network
// that holds the flipped layer on (the outputs below it are those of the
// unflipped pass); the kernels of a pass inside such a job run on its
// goroutine. With one worker or one core the passes run one after another
// and every pass spreads its kernels over the pool as nn does. Either way
// each number is one network pass in one state on one input, and nn's
// kernels do not depend on the number of cores, so the numbers do not
// depend on the number of workers or cores; sampling, bootstrap and random
// directions draw from nn.Stream. The same inputs give the same numbers on
// 1, 2 and 4 cores (tested).
package fidelity
