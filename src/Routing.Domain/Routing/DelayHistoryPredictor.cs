namespace Routing.Domain.Routing;

/// <summary>
/// The delay-history wait predictors of one queue (Ibrahim &amp; Whitt 2009): <b>head of line</b> (HOL) announces the
/// time already waited by the caller at the head of the queue, <b>last to enter service</b> (LES) the wait of the
/// last caller of the queue who was answered. They need no AHT or operator count, which makes them robust when those
/// are unknown or changing; they lag when the load changes quickly. Single-threaded, one per queue.
/// </summary>
/// <remarks>The head is the earliest enqueued call still waiting in this queue; with several priorities in one queue
/// it is not always the next one served. When the queue is empty of other callers, HOL falls back to LES.</remarks>
public sealed class DelayHistoryPredictor
{
    private readonly LinkedList<(CallId Call, DateTimeOffset EnqueuedAt)> _waiting = new();
    private readonly Dictionary<CallId, LinkedListNode<(CallId Call, DateTimeOffset EnqueuedAt)>> _nodes = [];

    /// <summary>The wait of the last caller answered from this queue; zero before the first.</summary>
    public TimeSpan LastToEnterService { get; private set; } = TimeSpan.Zero;

    public int WaitingCount => _nodes.Count;

    /// <summary>A call joined the queue (calls must be announced in enqueue order).</summary>
    public void Enqueued(CallId call, DateTimeOffset enqueuedAt)
    {
        if (_nodes.ContainsKey(call)) return;
        _nodes[call] = _waiting.AddLast((call, enqueuedAt));
    }

    /// <summary>A call was answered at <paramref name="now"/>: its wait becomes the LES figure.</summary>
    public void Answered(CallId call, DateTimeOffset now)
    {
        if (!_nodes.Remove(call, out var node)) return;
        _waiting.Remove(node);
        var waited = now - node.Value.EnqueuedAt;
        LastToEnterService = waited < TimeSpan.Zero ? TimeSpan.Zero : waited;
    }

    /// <summary>A call left without being answered (abandoned, overflowed).</summary>
    public void Left(CallId call)
    {
        if (_nodes.Remove(call, out var node)) _waiting.Remove(node);
    }

    /// <summary>HOL predictor: how long the head of the queue has waited at <paramref name="now"/>; LES when nobody waits.</summary>
    public TimeSpan HeadOfLine(DateTimeOffset now)
    {
        if (_waiting.First is not { } first) return LastToEnterService;
        var waited = now - first.Value.EnqueuedAt;
        return waited < TimeSpan.Zero ? TimeSpan.Zero : waited;
    }
}
