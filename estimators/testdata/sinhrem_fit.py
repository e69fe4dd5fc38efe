#!/usr/bin/env python3
"""Fits the polynomial sinhRemPoly of fastmath.go (run: python3 sinhrem_fit.py).

S(y) = (sinh t - t)/t^3 with y = t^2, on [0, ymax], ymax = (2k)^2 for DSQ's
largest k = 0.5*ln(2/1e-3 - 1) (alpha at its lower clamp 1e-3), with 0.01%
to spare. Degree 7 in y, minimizing the maximum relative error: weighted
least squares on 300 Chebyshev nodes, reweighted by Lawson's iteration.
Prints the coefficients rounded to float32 and their relative error on a
4001-point grid (about 1.1e-7; needs mpmath).
"""
import struct

from mpmath import mp, mpf, sinh, sqrt, log, matrix, lu_solve, cos, pi, fabs

mp.dps = 40
DEG, NODES, ITERS = 7, 300, 40


def S(y):
    if y < mpf("1e-12"):
        return mpf(1) / 6 + y / 120 + y * y / 5040
    t = sqrt(y)
    return (sinh(t) - t) / t**3


def f32(v):
    return struct.unpack("f", struct.pack("f", float(v)))[0]


kmax = log(mpf(2) / mpf("0.001") - 1) / 2
ymax = (2 * kmax) ** 2 * mpf("1.0001")
ys = [ymax * (1 - cos(pi * (i + mpf(0.5)) / NODES)) / 2 for i in range(NODES)]
fs = [S(y) for y in ys]
w = [mpf(1)] * NODES
for _ in range(ITERS):
    A, b = matrix(DEG + 1, DEG + 1), matrix(DEG + 1, 1)
    for y, fv, wi in zip(ys, fs, w):
        row = [y**j / fv for j in range(DEG + 1)]
        for i in range(DEG + 1):
            b[i] += wi * row[i]
            for j in range(DEG + 1):
                A[i, j] += wi * row[i] * row[j]
    c = lu_solve(A, b)
    errs = [fabs(sum(c[j] * y**j for j in range(DEG + 1)) / fv - 1) for y, fv in zip(ys, fs)]
    total = sum(wi * e for wi, e in zip(w, errs))
    w = [wi * e / total for wi, e in zip(w, errs)]
cf = [f32(c[j]) for j in range(DEG + 1)]
worst = max(fabs(sum(mpf(cf[j]) * y**j for j in range(DEG + 1)) / S(y) - 1)
            for y in (ymax * i / 4000 for i in range(4001)))
for j, v in enumerate(cf):
    print("sinhRem%d = %r" % (j, v))
print("relative error with float32 coefficients: %.3g" % worst)
