using Routing.Cluster.Facade;

namespace Routing.Benchmarks.EndToEnd;

/// <summary>Heap per idle (logged-in, ready) operator entity and per waiting call, on one real node.</summary>
public static class MemoryProbe
{
    public static async Task<int> Run(string[] args)
    {
        var n = args.Length > 1 ? int.Parse(args[1]) : 10_000;
        await using var node = await BenchNode.StartAsync(BenchNode.Config(n));
        var svc = node.Service;
        var baseline = Heap();
        await Parallel.ForEachAsync(svc.Config.Operators, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (op, ct) =>
        {
            await svc.OperatorAction(op.Id, new OperatorAction.LogIn(), ct);
            await svc.OperatorAction(op.Id, new OperatorAction.NotReady("probe"), ct);
        });
        var withOperators = Heap();
        Console.WriteLine($"{n} logged-in operators (entity + router index): {(withOperators - baseline) / 1024.0 / 1024:0.0} MiB, {(withOperators - baseline) / (double)n:0} bytes each");

        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
            await svc.OfferCall(new OfferCallRequest("5000", $"+{i}", "1"), ct));
        var withCalls = Heap();
        Console.WriteLine($"{n} waiting calls, live (call entity + queue entry + router index): {(withCalls - withOperators) / 1024.0 / 1024:0.0} MiB, {(withCalls - withOperators) / (double)n:0} bytes each");
        // Waiting calls stop their entity after routing.passivate-waiting-call-after (5 s here, 30 s by default).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long cold;
        do
        {
            await Task.Delay(2000);
            cold = Heap();
        } while (DateTime.UtcNow < deadline && (cold - withOperators) / (double)n > 2048);
        Console.WriteLine($"{n} waiting calls, passivated (queue entry + router index): {(cold - withOperators) / 1024.0 / 1024:0.0} MiB, {(cold - withOperators) / (double)n:0} bytes each");
        return 0;
    }

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
