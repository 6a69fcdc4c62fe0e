package spec

import (
	"os"
	"strings"
	"testing"
)

// TestDocExample parses the example spec of the package documentation
// (doc.go), so that the spec `go doc` shows is one the parser takes.
func TestDocExample(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(src), "// A spec is a YAML file:\n//\n")
	if !ok {
		t.Fatal("doc.go has no example spec")
	}
	var yaml strings.Builder
	for _, line := range strings.Split(after, "\n") {
		text, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			break
		}
		yaml.WriteString(text + "\n")
	}
	if _, err := Parse("doc.go", []byte(yaml.String()), Options{}); err != nil {
		t.Errorf("the example spec of doc.go: %v\n%s", err, yaml.String())
	}
}
