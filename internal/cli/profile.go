package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// StartProfiles starts a CPU profile into dir/cpu.pprof; the function it
// returns stops it and writes the allocations so far to dir/allocs.pprof.
// A CPU profile of a command's usual work is what its profile-guided build
// reads (default.pgo beside its main package).
func StartProfiles(dir string) (stop func() error, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("profile folder: %w", err)
	}
	cpu, err := os.Create(filepath.Join(dir, "cpu.pprof"))
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		cpu.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := cpu.Close(); err != nil {
			return err
		}
		allocs, err := os.Create(filepath.Join(dir, "allocs.pprof"))
		if err != nil {
			return err
		}
		defer allocs.Close()
		return pprof.Lookup("allocs").WriteTo(allocs, 0)
	}, nil
}
