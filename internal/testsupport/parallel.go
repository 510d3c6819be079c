package testsupport

import (
	"flag"
	"runtime"
	"strconv"
)

// WaitingTests parses the test flags and, unless -parallel was given, lets
// four times as many tests run at once as there are cores: for a TestMain
// whose tests mostly wait (on processes, a run's pace, a sandbox's settle
// delay, a poll interval), not on the CPU.
func WaitingTests() {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0)))
	}
}
