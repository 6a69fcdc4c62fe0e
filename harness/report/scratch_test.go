package report

import (
	"os"
	"testing"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

func TestScratch(t *testing.T) {
	tb := tablewriter.NewTable(os.Stdout, tablewriter.WithRenderer(renderer.NewMarkdown()), tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAutoWrap(tw.WrapNone), tablewriter.WithHeaderAlignment(tw.AlignLeft), tablewriter.WithRowAlignment(tw.AlignLeft))
	tb.Header("rank", "configuration label", "final acc")
	tb.Bulk([][]string{{"1", "full lr=0.1 warmup_epochs=2 plasticity_scale=2 and a long label here ok", "0.97457 ± 0.00150"}, {"2", "grad_only", "n/a"}, {"3", "x|y", ""}})
	tb.Render()
}
