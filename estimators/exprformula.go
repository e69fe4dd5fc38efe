package estimators

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/parser/lexer"
	"github.com/expr-lang/expr/vm"
)

// The formulas of expr: estimators are parsed, type-checked and evaluated
// by github.com/expr-lang/expr, a maintained expression language for Go
// with a static type checker and constant folding, rather than by a parser
// written here. A formula sees three numbers:
//
//	x   the input value
//	p   training progress in [0, 1] (0 at the first epoch, 1 at the last)
//	pi  π
//
// and the functions listed in exprFunctions plus the language's numeric
// built-ins abs, min, max, floor, ceil and round; its operators (+ - * /,
// ** and ^ for powers, comparisons, and/or/not, the conditional a ? b : c,
// let bindings) are the language's. Every other built-in (strings, arrays,
// dates) is disabled. The result must be a number.

// exprEnv is the environment formulas are type-checked and run in.
type exprEnv struct {
	X  float64 `expr:"x"`
	P  float64 `expr:"p"`
	Pi float64 `expr:"pi"`
}

// exprFunctions are the functions of one float64 argument a formula may
// call, each Go's math function of the same name.
var exprFunctions = map[string]func(float64) float64{
	"exp": math.Exp, "log": math.Log, "log2": math.Log2, "log10": math.Log10,
	"sqrt": math.Sqrt, "cbrt": math.Cbrt,
	"sin": math.Sin, "cos": math.Cos, "tan": math.Tan,
	"asin": math.Asin, "acos": math.Acos, "atan": math.Atan,
	"sinh": math.Sinh, "cosh": math.Cosh, "tanh": math.Tanh,
	"erf": math.Erf,
}

// exprBuiltins are the language's built-in functions a formula may call.
var exprBuiltins = []string{"abs", "min", "max", "floor", "ceil", "round"}

// exprOptions are the compiler options every formula is compiled with.
var exprOptions = exprCompileOptions(true)

// exprAnyOptions are exprOptions without the demand for a number, with
// which compileFormula learns what a formula refused for its type gives.
var exprAnyOptions = exprCompileOptions(false)

// exprCheckedOptions are exprAnyOptions without constant folding: the
// tree they compile is the formula as parsed, with its nodes' types.
var exprCheckedOptions = append(exprCompileOptions(false), expr.Optimize(false))

// exprCompileOptions returns the compiler options of a formula, which
// must give a number where number says so.
func exprCompileOptions(number bool) []expr.Option {
	opts := []expr.Option{expr.Env(exprEnv{})}
	if number {
		opts = append(opts, expr.AsFloat64())
	}
	opts = append(opts, expr.DisableAllBuiltins())
	for _, b := range exprBuiltins {
		opts = append(opts, expr.EnableBuiltin(b))
	}
	for name, f := range exprFunctions {
		opts = append(opts, expr.Function(name, func(args ...any) (any, error) {
			// The type checker lets through any number: an int reaches
			// here from min, max, abs, a conditional or a let binding of
			// integer constants, as exp(max(0, x)) gives exp the int 0.
			switch v := args[0].(type) {
			case float64:
				return f(v), nil
			case int:
				return f(float64(v)), nil
			}
			return nil, fmt.Errorf("%s(%v): %T is not a number", name, args[0], args[0])
		}, new(func(float64) float64)))
	}
	return opts
}

// maxFormula is the longest formula accepted, in bytes.
const maxFormula = 1000

// An exprFormula is a compiled formula g(x, p). Its program is safe for
// concurrent use; each evaluator has its own VM.
type exprFormula struct {
	src   string // canonical form
	prog  *vm.Program
	usesP bool
}

// compileFormula parses and type-checks src and returns it with its
// canonical form: the library's printing of the syntax tree after constant
// folding, so that spacing and constant arithmetic ("2*0.5") do not change
// it. The canonical form must compile back to itself (it does not when a
// constant folds to a value the language cannot write, such as 1/0 = +Inf).
func compileFormula(src string) (*exprFormula, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("empty formula")
	}
	if len(src) > maxFormula {
		return nil, fmt.Errorf("formula of %d bytes: want at most %d", len(src), maxFormula)
	}
	// The language's comments would be dropped from the formula, and
	// "x // 2" is a floor division in Python: refused, as strings are.
	if i := strings.Index(src, "//"); i >= 0 || strings.Contains(src, "/*") {
		if j := strings.Index(src, "/*"); i < 0 || j >= 0 && j < i {
			i = j
		}
		return nil, fmt.Errorf("formula %q: a comment (// or /* */) is not part of a numeric formula (at column %d)", src, utf8.RuneCountInString(src[:i])+1)
	}
	tree, err := parser.Parse(src)
	if err != nil {
		if e := literalRange(src, err); e != nil {
			return nil, e
		}
		return nil, formulaError(src, err)
	}
	if n := ast.Find(tree.Node, notNumeric); n != nil {
		return nil, fmt.Errorf("formula %q: %s is not part of a numeric formula (at column %d)", src, describeNode(n), n.Location().From+1)
	}
	if n := ast.Find(tree.Node, func(n ast.Node) bool { return strayUnderscore(literal(src, n), n) }); n != nil {
		return nil, fmt.Errorf("formula %q: the number %s: an underscore in a number separates digits, as in 1_000 (at column %d)",
			src, literal(src, n), n.Location().From+1)
	}
	if n := ast.Find(tree.Node, func(n ast.Node) bool { return underflows(src, n) != "" }); n != nil {
		return nil, fmt.Errorf("formula %q: the number %s %s: write 0, or a number float64 holds as written (at column %d)",
			src, literal(src, n), underflows(src, n), n.Location().From+1)
	}
	// A conditional with a number in one branch and true or false in the
	// other passes the library's checker (its type is "any") and failed
	// only when g was evaluated, as "invalid operation: float(bool)".
	if checked, e := expr.Compile(src, exprCheckedOptions...); e == nil {
		if err := mixedConditional(src, checked.Node()); err != nil {
			return nil, err
		}
	}
	prog, err := expr.Compile(src, exprOptions...)
	if err != nil {
		// A comparison where a number is wanted, whose refusal by the
		// library ("expected float64, but got bool") says nothing of
		// how to write it.
		if typed, e := expr.Compile(src, exprAnyOptions...); e == nil && typed.Node().Type() != nil && typed.Node().Type().Kind() == reflect.Bool {
			return nil, fmt.Errorf("formula %q gives true or false, not a number: give g a number in each case, as in (%s) ? 1 : 0", src, src)
		}
		// True or false used as a number, or a number as true or false,
		// which the library refuses as "mismatched types bool and int".
		// Its other refusals keep its words: boolMisuse reads the syntax
		// alone, and took "let b = x>0; let b = 2; b + 1", refused as
		// "cannot redeclare variable b", for x > 0 added to 1.
		if e := boolMisuse(src, tree.Node); e != nil && boolTypeError(err) {
			return nil, e
		}
		return nil, formulaError(src, err)
	}
	if n := intOverflow(tree.Node); n != nil {
		return nil, fmt.Errorf("formula %q: the integer arithmetic at column %d may overflow int%d, which wraps: write a number in it with a decimal point (4294967296.0) to compute in float64", src, n.Location().From+1, strconv.IntSize)
	}
	canon := prog.Node().String()
	// The program that runs is the canonical form's, so it must be the
	// formula given: a constant may fold to a value the language cannot
	// write (1/0 is +Inf), and the library prints some trees without
	// brackets they need, (-1) ** n as -1 ** n, which reads as -(1 ** n),
	// and (let a = 1; a + x) * 2 as let a = 1; a + x * 2.
	again, err := expr.Compile(canon, exprOptions...)
	if given, ok := shapeOf(prog.Node()); err != nil || again.Node().String() != canon || !ok || given != mustShape(again.Node()) {
		if n, why, v := nonFinite(tree.Node); n != nil {
			return nil, fmt.Errorf("formula %q: %s %s, which gives %v: a formula's constant parts must be finite (at column %d)",
				src, constText(src, n), why, v, n.Location().From+1)
		}
		return nil, fmt.Errorf("formula %q folds to %q, which does not read back as the same formula: write it another way, "+
			"with its constant parts finite, its let bindings at its start and a negative constant bound by one (\"let b = -1; b ** x\")", src, canon)
	}
	if n := intOverflow(again.Node()); n != nil {
		return nil, fmt.Errorf("formula %q folds to %q, whose integer arithmetic at column %d may overflow int%d, which wraps: write a number in it with a decimal point (4294967296.0) to compute in float64", src, canon, n.Location().From+1, strconv.IntSize)
	}
	usesP := ast.Find(again.Node(), func(n ast.Node) bool {
		id, ok := n.(*ast.IdentifierNode)
		return ok && id.Value == "p"
	}) != nil
	return &exprFormula{src: canon, prog: again, usesP: usesP}, nil
}

// isNumberKind reports whether t is a number type the language computes in.
func isNumberKind(t reflect.Type) bool {
	if t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64, reflect.Float32:
		return true
	}
	return false
}

// mixedConditional returns the error for the first conditional of the
// checked tree root (compiled from src without folding) with a number in
// one branch and true or false in the other, or nil.
func mixedConditional(src string, root ast.Node) error {
	var bad ast.Node // the branch that is true or false
	ast.Find(root, func(n ast.Node) bool {
		c, ok := n.(*ast.ConditionalNode)
		if !ok {
			return false
		}
		isBool := func(b ast.Node) bool { return b.Type() != nil && b.Type().Kind() == reflect.Bool }
		switch {
		case isBool(c.Exp1) && isNumberKind(c.Exp2.Type()):
			bad = c.Exp1
		case isBool(c.Exp2) && isNumberKind(c.Exp1.Type()):
			bad = c.Exp2
		}
		return bad != nil
	})
	if bad == nil {
		return nil
	}
	const must = "both branches of ? : must be numbers"
	if b, ok := bad.(*ast.BoolNode); ok {
		// The formula with that branch written as a number.
		r, loc := []rune(src), b.Location()
		if literal(src, b) == strconv.FormatBool(b.Value) {
			fix := "0"
			if b.Value {
				fix = "1"
			}
			return fmt.Errorf("formula %q: the branch %v of a conditional is true or false, and its other branch a number: %s, as in %s (at column %d)",
				src, b.Value, must, string(r[:loc.From])+fix+string(r[loc.To:]), loc.From+1)
		}
	}
	return fmt.Errorf("formula %q: the branch %s of a conditional gives true or false, and its other branch a number: %s, as in (%s) ? 1 : 0 for that branch",
		src, bad, must, bad)
}

// boolMisuse returns the error for a formula the library refused (tree
// is its parse) that uses true or false as a number, as (x > 0) + 1 does,
// or a number as true or false, as !x does; or nil if it finds neither.
// What gives true or false is read from the syntax: comparisons, and, or,
// not, true, false, conditionals of them and let bindings of them.
func boolMisuse(src string, tree ast.Node) error {
	lets := map[string]bool{}
	var decls []*ast.VariableDeclaratorNode
	ast.Find(tree, func(n ast.Node) bool {
		if d, ok := n.(*ast.VariableDeclaratorNode); ok {
			decls = append(decls, d)
		}
		return false
	})
	for range decls { // a binding of a binding is found on a later pass
		for _, d := range decls {
			lets[d.Name] = isBoolSyntax(d.Value, lets)
		}
	}
	isBool := func(n ast.Node) bool { return isBoolSyntax(n, lets) }
	var err error
	numberOperand := func(what string, at ast.Node, operand ast.Node) bool {
		if !isBool(operand) {
			return false
		}
		err = fmt.Errorf("formula %q: %s takes numbers, but %s gives true or false (at column %d): write it as a number, as in (%s) ? 1 : 0",
			src, what, operand, at.Location().From+1, operand)
		return true
	}
	boolOperand := func(op string, at ast.Node, operand ast.Node) bool {
		if isBool(operand) {
			return false
		}
		err = fmt.Errorf("formula %q: the operator %q takes true or false, but %s is a number (at column %d): compare it with a number, as in %s != 0",
			src, op, operand, at.Location().From+1, operand)
		return true
	}
	ast.Find(tree, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryNode:
			switch n.Operator {
			case "+", "-", "*", "/", "%", "**", "^":
				what := fmt.Sprintf("the operator %q", n.Operator)
				return numberOperand(what, n, n.Left) || numberOperand(what, n, n.Right)
			case "and", "or", "&&", "||":
				return boolOperand(n.Operator, n, n.Left) || boolOperand(n.Operator, n, n.Right)
			}
		case *ast.UnaryNode:
			switch n.Operator {
			case "-", "+":
				return numberOperand(fmt.Sprintf("the operator %q", n.Operator), n, n.Node)
			case "not", "!":
				return boolOperand(n.Operator, n, n.Node)
			}
		case *ast.CallNode:
			for _, a := range n.Arguments {
				if numberOperand(n.Callee.String(), n, a) {
					return true
				}
			}
		case *ast.BuiltinNode:
			for _, a := range n.Arguments {
				if numberOperand(n.Name, n, a) {
					return true
				}
			}
		}
		return false
	})
	return err
}

// boolTypeError reports whether err, the library's refusal of a formula,
// is a refusal of an operand's type that boolMisuse can explain: it gives
// bool as a type ("mismatched types bool and int", "cannot use bool as
// argument", "invalid argument for min (type bool)", "non-bool
// expression") or a mismatched type ("! (mismatched type float64)"). The
// words are the library's phrases around a type, not "bool" anywhere: a
// refusal quotes the formula's names, and "cannot redeclare variable
// isbool" is no refusal of a type.
func boolTypeError(err error) bool {
	msg := err.Error()
	var fe *file.Error
	if errors.As(err, &fe) {
		msg = fe.Message
	}
	for _, words := range boolTypeWords {
		if strings.Contains(msg, words) {
			return true
		}
	}
	return false
}

// boolTypeWords are the phrases of the library's refusals of an
// operand's type that boolTypeError looks for: none can come of a name
// (no name holds a space or a bracket).
var boolTypeWords = []string{"(mismatched type", "(type bool)", "cannot use bool as", "non-bool expression", "but got bool"}

// isBoolSyntax reports whether n gives true or false by its syntax, lets
// saying which let bindings do.
func isBoolSyntax(n ast.Node, lets map[string]bool) bool {
	switch n := n.(type) {
	case *ast.BoolNode:
		return true
	case *ast.IdentifierNode:
		return lets[n.Value]
	case *ast.BinaryNode:
		switch n.Operator {
		case "==", "!=", "<", ">", "<=", ">=", "and", "or", "&&", "||":
			return true
		}
	case *ast.UnaryNode:
		return n.Operator == "not" || n.Operator == "!"
	case *ast.ConditionalNode:
		return isBoolSyntax(n.Exp1, lets) && isBoolSyntax(n.Exp2, lets)
	case *ast.VariableDeclaratorNode:
		return isBoolSyntax(n.Expr, lets)
	case *ast.SequenceNode:
		return len(n.Nodes) > 0 && isBoolSyntax(n.Nodes[len(n.Nodes)-1], lets)
	}
	return false
}

// literalRange returns the error for a formula whose parse failed
// (err) on a number past what the language holds, or nil: the parser's
// own message is strconv's ("invalid integer literal: strconv.ParseInt:
// parsing …: value out of range", at the column after the number). An
// integer constant is an int, which the number does not fit; written
// with a decimal point it is a float64, which it may.
func literalRange(src string, err error) error {
	var fe *file.Error
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, "out of range") && !strings.Contains(fe.Message, "too large") {
		return nil
	}
	tokens, lexErr := lexer.Lex(file.NewSource(src))
	if lexErr != nil {
		return nil
	}
	// The parser reads the numbers in order and stops at the first it
	// cannot hold: the first such is the one refused.
	for _, t := range tokens {
		if t.Kind != lexer.Number {
			continue
		}
		v := strings.ToLower(strings.ReplaceAll(t.Value, "_", ""))
		prefixed := strings.HasPrefix(v, "0x") || strings.HasPrefix(v, "0b") || strings.HasPrefix(v, "0o")
		if !prefixed && strings.ContainsAny(v, ".e") {
			if f, err := strconv.ParseFloat(v, 64); errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0) {
				return fmt.Errorf("formula %q: the number %s overflows float64 (its largest magnitude is %g) (at column %d)", src, t.Value, math.MaxFloat64, t.From+1)
			}
			continue
		}
		if _, err := strconv.ParseInt(v, 0, strconv.IntSize); errors.Is(err, strconv.ErrRange) {
			how := fmt.Sprintf("with a decimal point (%s.0)", t.Value)
			if prefixed {
				how = "as a decimal number with a decimal point"
			}
			return fmt.Errorf("formula %q: the integer %s is out of range: integer constants are int%d, at most %d; write it %s to make it a float64 (at column %d)",
				src, t.Value, strconv.IntSize, math.MaxInt, how, t.From+1)
		}
	}
	return nil
}

// nonFinite returns the innermost constant part of the formula tree
// (before folding) whose value is not finite, why, and that value; or a
// nil node. The expression library folds constant arithmetic, so 1/0
// becomes +Inf, which the formula's canonical form cannot write: the
// error names the part and why rather than showing the folded formula.
// Constant parts are number literals and the arithmetic on them, which
// is what the library folds, in its arithmetic: / and ** in float64, the
// rest in int where both operands are (whose overflow compileFormula
// refuses apart).
func nonFinite(root ast.Node) (n ast.Node, why string, v float64) {
	ast.Walk(&root, visitor(func(node ast.Node) {
		if n != nil {
			return // the first found, in the order the walk visits, is innermost
		}
		b, ok := node.(*ast.BinaryNode)
		if !ok {
			return
		}
		val, ok := constValue(b)
		if !ok || !math.IsInf(val, 0) && !math.IsNaN(val) {
			return
		}
		// Its operands are finite: a part that is not would have been
		// visited first.
		l, _ := constValue(b.Left)
		r, _ := constValue(b.Right)
		switch {
		case b.Operator == "/" && r == 0:
			why = "divides by zero"
		case (b.Operator == "**" || b.Operator == "^") && l == 0 && r < 0:
			why = "divides by zero (0 to a negative power)"
		case math.IsNaN(val):
			why = "is not a real number (a negative number to a fractional power)"
		default:
			why = fmt.Sprintf("overflows float64 (its largest magnitude is %g)", math.MaxFloat64)
		}
		n, v = node, val
	}))
	return n, why, v
}

// visitor is an ast.Visitor of a function.
type visitor func(ast.Node)

func (f visitor) Visit(n *ast.Node) { f(*n) }

// constValue returns the value of n if it is a constant part: a number
// literal, or unary or binary arithmetic on constant parts.
func constValue(n ast.Node) (float64, bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return float64(n.Value), true
	case *ast.FloatNode:
		return n.Value, true
	case *ast.UnaryNode:
		v, ok := constValue(n.Node)
		switch {
		case ok && n.Operator == "-":
			return -v, true
		case ok && n.Operator == "+":
			return v, true
		}
	case *ast.BinaryNode:
		l, lok := constValue(n.Left)
		r, rok := constValue(n.Right)
		if !lok || !rok {
			return 0, false
		}
		switch n.Operator {
		case "+":
			return l + r, true
		case "-":
			return l - r, true
		case "*":
			return l * r, true
		case "/":
			return l / r, true
		case "**", "^":
			return math.Pow(l, r), true
		}
	}
	return 0, false
}

// constText writes the constant part n as the formula src wrote its
// numbers, its operations spaced and a compound operand bracketed:
// 1e308 * 10, (-1) ** 0.5.
func constText(src string, n ast.Node) string {
	switch n := n.(type) {
	case *ast.UnaryNode:
		return n.Operator + operandText(src, n.Node)
	case *ast.BinaryNode:
		return operandText(src, n.Left) + " " + n.Operator + " " + operandText(src, n.Right)
	}
	return literal(src, n)
}

// operandText is constText of an operand, bracketed unless a number.
func operandText(src string, n ast.Node) string {
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		return literal(src, n)
	}
	return "(" + constText(src, n) + ")"
}

// underflows says how the number literal n underflows float64, or ""
// if it does not: written nonzero, the parser made it 0 (strconv.ParseFloat
// rounds a literal below float64's smallest magnitude, 1e-400, to 0
// without an error), or a subnormal, which holds fewer digits than
// written (1.2345678901234567e-320 is 1.2347e-320). The canonical formula
// would then print another number than the one written.
func underflows(src string, n ast.Node) string {
	f, ok := n.(*ast.FloatNode)
	switch {
	case !ok:
		return ""
	case f.Value == 0 && nonzeroMantissa(literal(src, n)):
		return fmt.Sprintf("underflows to 0 in float64 (its smallest magnitude is %g)", math.SmallestNonzeroFloat64)
	case f.Value != 0 && math.Abs(f.Value) < minNormal64:
		return fmt.Sprintf("underflows to a subnormal in float64, %g, which holds fewer digits (its smallest normal magnitude is %g)", f.Value, minNormal64)
	}
	return ""
}

// strayUnderscore reports whether n is a number whose literal lit holds
// an underscore where Go syntax (and so the spec's other numbers) has
// none: the language's lexer drops every underscore of a number, so
// that 1_ is 1 and 1__0 is 10.
func strayUnderscore(lit string, n ast.Node) bool {
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
	default:
		return false
	}
	if !strings.Contains(lit, "_") {
		return false
	}
	goSyntax := func(err error) bool { return err == nil || errors.Is(err, strconv.ErrRange) }
	_, errInt := strconv.ParseInt(lit, 0, 64)
	_, errFloat := strconv.ParseFloat(lit, 64)
	return !goSyntax(errInt) && !goSyntax(errFloat)
}

// literal returns the text of src that n was parsed from (its location
// counts runes), or "" if the location is not within src.
func literal(src string, n ast.Node) string {
	r := []rune(src)
	loc := n.Location()
	if loc.From < 0 || loc.From > loc.To || loc.To > len(r) {
		return ""
	}
	return string(r[loc.From:loc.To])
}

// notNumeric reports the syntax a numeric formula has no use for: strings,
// arrays, maps, ranges, member access, predicates (the language's loops)
// and the operators on them. Refusing them keeps every formula a
// loop-free computation on numbers, whose evaluation time is bounded by its
// length.
func notNumeric(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.IdentifierNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode,
		*ast.UnaryNode, *ast.CallNode, *ast.BuiltinNode, *ast.ConditionalNode,
		*ast.VariableDeclaratorNode, *ast.SequenceNode:
		return false
	case *ast.BinaryNode:
		switch n.Operator {
		case "+", "-", "*", "/", "%", "**", "^", "==", "!=", "<", ">", "<=", ">=", "and", "or", "&&", "||":
			return false
		}
	}
	return true
}

// describeNode names the syntax of n for an error message.
func describeNode(n ast.Node) string {
	switch n := n.(type) {
	case *ast.BinaryNode:
		return fmt.Sprintf("the operator %q", n.Operator)
	case *ast.StringNode, *ast.BytesNode:
		return "a string"
	case *ast.ArrayNode:
		return "an array"
	case *ast.MapNode, *ast.PairNode:
		return "a map"
	case *ast.NilNode:
		return "nil"
	case *ast.MemberNode, *ast.ChainNode, *ast.SliceNode:
		return "member access"
	case *ast.PredicateNode, *ast.PointerNode:
		return "a predicate"
	}
	return fmt.Sprintf("%T", n)
}

// formulaError rewrites an error of the expression library as one line:
// its message, the column and the formula.
func formulaError(src string, err error) error {
	var fe *file.Error
	if errors.As(err, &fe) {
		return fmt.Errorf("formula %q: %s (at column %d)", src, fe.Message, fe.Column+1)
	}
	return fmt.Errorf("formula %q: %v", src, err)
}

// An exprRunError is the library's error from evaluating a formula whose
// canonical form is canon.
type exprRunError struct {
	canon string
	err   error
}

// Error is one line with the column, as a parse error (the library's own
// text puts the formula under a caret on lines of their own). The program
// is the canonical form's, which the column counts in.
func (e *exprRunError) Error() string { return formulaError(e.canon, e.err).Error() }

// quoting returns the error quoting the formula as typed: the column, of
// the canonical form that runs, is given with that form when it differs.
func (e *exprRunError) quoting(typed string) error {
	var fe *file.Error
	if typed == "" || typed == e.canon || !errors.As(e.err, &fe) {
		return e
	}
	return fmt.Errorf("formula %q: %s (at column %d of %q, the formula as it runs after constant folding)", typed, fe.Message, fe.Column+1, e.canon)
}

// An exprEval evaluates one formula; it is not safe for concurrent use.
type exprEval struct {
	f   *exprFormula
	vm  vm.VM
	env exprEnv
}

func newExprEval(f *exprFormula) *exprEval {
	return &exprEval{f: f, env: exprEnv{Pi: math.Pi}}
}

// at returns g(x) at progress p.
func (e *exprEval) at(x, p float64) (float64, error) {
	e.env.X, e.env.P = x, p
	out, err := e.vm.Run(e.f.prog, &e.env)
	if err != nil {
		return 0, &exprRunError{canon: e.f.src, err: err}
	}
	v, ok := out.(float64)
	if !ok {
		return 0, fmt.Errorf("formula gave %T %v, want a number", out, out)
	}
	return v, nil
}

// shapeOf returns the formula n computes, written with every bracket,
// numbers by value (the integer 1 and the float 1.0 alike, as the
// canonical form prints them alike) and operators by meaning ("^" as
// "**", "!" as "not"): two trees of one shape compute one formula. It
// returns false for a node a numeric formula does not have.
func shapeOf(n ast.Node) (string, bool) {
	var b strings.Builder
	ok := writeShape(&b, n)
	return b.String(), ok
}

// mustShape is shapeOf for a tree that may hold other nodes: their
// shape is their type, which no tree of numeric nodes has.
func mustShape(n ast.Node) string {
	s, ok := shapeOf(n)
	if !ok {
		return fmt.Sprintf("%T", n)
	}
	return s
}

// shapeOperators are the operators spelled two ways, by one spelling.
var shapeOperators = map[string]string{"^": "**", "!": "not", "&&": "and", "||": "or"}

func writeShape(b *strings.Builder, n ast.Node) bool {
	op := func(o string) string {
		if s, ok := shapeOperators[o]; ok {
			return s
		}
		return o
	}
	list := func(nodes []ast.Node) bool {
		for i, a := range nodes {
			if i > 0 {
				b.WriteString(", ")
			}
			if !writeShape(b, a) {
				return false
			}
		}
		return true
	}
	switch n := n.(type) {
	case *ast.IdentifierNode:
		b.WriteString(n.Value)
	case *ast.IntegerNode:
		b.WriteString(strconv.FormatFloat(float64(n.Value), 'g', -1, 64))
	case *ast.FloatNode:
		b.WriteString(strconv.FormatFloat(n.Value, 'g', -1, 64))
	case *ast.BoolNode:
		b.WriteString(strconv.FormatBool(n.Value))
	case *ast.UnaryNode:
		b.WriteString("(" + op(n.Operator) + " ")
		if !writeShape(b, n.Node) {
			return false
		}
		b.WriteString(")")
	case *ast.BinaryNode:
		b.WriteString("(")
		if !writeShape(b, n.Left) {
			return false
		}
		b.WriteString(" " + op(n.Operator) + " ")
		if !writeShape(b, n.Right) {
			return false
		}
		b.WriteString(")")
	case *ast.CallNode:
		if !writeShape(b, n.Callee) {
			return false
		}
		b.WriteString("(")
		if !list(n.Arguments) {
			return false
		}
		b.WriteString(")")
	case *ast.BuiltinNode:
		b.WriteString(n.Name + "(")
		if !list(n.Arguments) {
			return false
		}
		b.WriteString(")")
	case *ast.ConditionalNode:
		b.WriteString("(")
		if !list([]ast.Node{n.Cond, n.Exp1, n.Exp2}) {
			return false
		}
		b.WriteString(" ?:)")
	case *ast.VariableDeclaratorNode:
		b.WriteString("(let " + n.Name + " = ")
		if !writeShape(b, n.Value) {
			return false
		}
		b.WriteString("; ")
		if !writeShape(b, n.Expr) {
			return false
		}
		b.WriteString(")")
	case *ast.SequenceNode:
		b.WriteString("(")
		for i, a := range n.Nodes {
			if i > 0 {
				b.WriteString("; ")
			}
			if !writeShape(b, a) {
				return false
			}
		}
		b.WriteString(")")
	default:
		return false
	}
	return true
}

// intOverflow returns the first node of the formula n whose integer
// arithmetic may overflow Go's int, or nil. The language computes +, -,
// *, % and unary minus in int (int64, or int32 on a 32-bit build, where
// it also refuses an integer literal past 2^31-1) when both operands
// are integers (integer
// literals, let bindings of them, min, max and abs of them, conditionals
// with an integer branch), and wraps on overflow, both when it folds
// constants (4294967296*4294967296 is 0) and at run time. Each node's
// magnitude is bounded from its operands' bounds, over both branches of
// a conditional, so a refusal may be of arithmetic that a condition
// would have kept in range; writing a number with a decimal point makes
// the arithmetic float64.
func intOverflow(n ast.Node) ast.Node {
	w := intBounds{vars: map[string]uint64{}}
	w.bound(n)
	return w.bad
}

// intBounds bounds the magnitudes of a formula's integer values.
type intBounds struct {
	vars map[string]uint64 // bound of each let binding that may be an integer
	bad  ast.Node          // the first node that may overflow
}

// bound returns a bound on |n| and whether n may be an integer; it
// records in w.bad the first node whose bound exceeds math.MaxInt.
func (w *intBounds) bound(n ast.Node) (uint64, bool) {
	const limit = math.MaxInt
	join := func(nodes ...ast.Node) (uint64, bool) { // one of nodes' values
		var m uint64
		isInt := false
		for _, a := range nodes {
			if b, ok := w.bound(a); ok {
				m, isInt = max(m, b), true
			}
		}
		return m, isInt
	}
	check := func(b uint64, over bool) (uint64, bool) {
		if (over || b > limit) && w.bad == nil {
			w.bad = n
		}
		return min(b, limit), true
	}
	switch n := n.(type) {
	case *ast.IntegerNode:
		b := uint64(n.Value)
		if n.Value < 0 {
			b = -b
		}
		return b, true
	case *ast.IdentifierNode:
		b, ok := w.vars[n.Value]
		return b, ok
	case *ast.UnaryNode:
		b, ok := w.bound(n.Node)
		return b, ok && n.Operator != "not" && n.Operator != "!"
	case *ast.BinaryNode:
		l, lok := w.bound(n.Left)
		r, rok := w.bound(n.Right)
		if !lok || !rok {
			return 0, false
		}
		switch n.Operator {
		case "+", "-":
			sum, carry := bits.Add64(l, r, 0)
			return check(sum, carry != 0)
		case "*":
			hi, lo := bits.Mul64(l, r)
			return check(lo, hi != 0)
		case "%":
			return l, true
		}
		return 0, false
	case *ast.ConditionalNode:
		w.bound(n.Cond)
		return join(n.Exp1, n.Exp2)
	case *ast.BuiltinNode:
		return join(n.Arguments...)
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok && slices.Contains(exprBuiltins, id.Value) {
			return join(n.Arguments...)
		}
		join(n.Arguments...)
		return 0, false
	case *ast.VariableDeclaratorNode:
		if b, ok := w.bound(n.Value); ok {
			w.vars[n.Name] = b
		}
		return w.bound(n.Expr)
	case *ast.SequenceNode:
		var b uint64
		ok := false
		for _, a := range n.Nodes {
			b, ok = w.bound(a)
		}
		return b, ok
	}
	return 0, false
}
