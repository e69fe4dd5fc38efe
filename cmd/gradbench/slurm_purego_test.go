//go:build purego

package main

func init() { puregoBuild = true }
