// Package minimal registers estimatortest's Minimal estimator under the
// name "minimal" when it is imported, the way a user's own package
// registers its estimator. Packages that consume estimators import it for
// that side effect in their tests, to check that they take an estimator
// with none of the optional interfaces:
//
//	import _ "github.com/gradbench/gradbench/estimators/estimatortest/minimal"
package minimal

import (
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/estimators/estimatortest"
)

func init() { estimators.Register("minimal", estimatortest.MinimalFactory("minimal")) }
