using EnaRemediate.Bench;
using EnaRemediate.Bench.Fleet;

// One class per benchmark, chosen by the first argument. Add a benchmark with one line here.
var benchmarks = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
{
    ["diagnose-log"] = DiagnoseLogBenchmark.Run,
    ["simulate-fleet"] = SimulateFleetBenchmark.Run,
    ["fleet"] = FleetBenchmark.Run,
    ["fleet-workflow"] = FleetWorkflowBenchmark.Run,
    // Not a benchmark: the engine's process of a fleet run (EngineFleetRun starts it).
    [EngineProcess.Command] = EngineProcess.Run,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: EnaRemediate.Bench <{string.Join('|', benchmarks.Keys)}> [options]");
    return 64;
}
return run(args[1..]);
