using BenchmarkDotNet.Running;
using Routing.Benchmarks.EndToEnd;

// Load drivers first, BenchmarkDotNet suites otherwise:
//   dotnet run -c Release --project benchmarks/Routing.Benchmarks -- e2e [--rates 50,100,200] [--seconds 10] [--operators 2000] [--hold-ms 1000]
//   dotnet run -c Release --project benchmarks/Routing.Benchmarks -- memory [10000]
//   dotnet run -c Release --project benchmarks/Routing.Benchmarks -- failover [--runs 5] [--probes 100] [--rate 4]
//   ROUTING_BENCH_PG="Host=...;..." dotnet run -c Release --project benchmarks/Routing.Benchmarks -- journal E N [P]   (P 0: SqliteJournal; P > 0: Akka.Persistence.Sql, parallelism P)
//   dotnet run -c Release --project benchmarks/Routing.Benchmarks -- --filter '*Matcher*' --job short
return args.FirstOrDefault() switch
{
    "e2e" => await LoadDriver.Run(args),
    "memory" => await MemoryProbe.Run(args),
    "journal" => await JournalProbe.Run(args),
    "failover" => await FailoverProbe.Run(args),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(LoadDriver).Assembly).Run(args);
    return 0;
}
