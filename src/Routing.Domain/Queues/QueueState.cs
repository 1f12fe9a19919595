using System.Collections.Immutable;
using Routing.Domain.Config;
using Routing.Domain.Routing;

namespace Routing.Domain.Queues;

/// <summary>One waiting call as its queue keeps it.</summary>
/// <param name="JoinedAt">When it entered this queue: overflow rules count from here.</param>
/// <param name="RulesFired">Indices of this queue's overflow rules already applied to the call.</param>
public sealed record QueueEntry(
    CallId Call,
    int Priority,
    DateTimeOffset FirstQueuedAt,
    DateTimeOffset JoinedAt,
    long Seq,
    ImmutableArray<int> ExtraTiers,
    ImmutableArray<int> RulesFired,
    OperatorId? Only = null);

/// <summary>A queue's waiting list (arrival order) and figures: the fold of its journal.</summary>
public sealed record QueueState(ImmutableList<QueueEntry> Waiting, long NextSeq, QueueFigures Figures)
{
    /// <summary>How many recently dequeued calls the queue remembers, so a repeated Dequeue is not counted twice.</summary>
    public const int DoneMemory = 2000;

    /// <summary>The calls that left most recently (oldest first).</summary>
    public ImmutableList<CallId> Done { get; init; } = [];

    public static readonly QueueState Initial = new(ImmutableList<QueueEntry>.Empty, 1, QueueFigures.Empty());

    public QueueEntry? Find(CallId call) => Waiting.Find(e => e.Call == call);

    public WaitingCall ToWaitingCall(QueueId queue, QueueEntry e) =>
        new(e.Call, queue, e.Priority, e.FirstQueuedAt, e.Seq, e.ExtraTiers, e.Only);

    /// <summary>Enqueue (idempotent: a call already waiting keeps its place).</summary>
    public ImmutableArray<QueueEvent> Enqueue(CallId call, int priority, DateTimeOffset firstQueuedAt, DateTimeOffset now, OperatorId? only = null) =>
        Find(call) is not null ? [] : [new CallEnqueued(now, call, priority, firstQueuedAt, NextSeq) { Only = only }];

    /// <summary>
    /// Dequeue (idempotent). A call this queue never saw, but which says it queued here at <paramref name="firstQueuedAt"/>
    /// (its Enqueue was lost with a node), is entered and taken out at once, so that it is counted (offered, abandoned...).
    /// </summary>
    public ImmutableArray<QueueEvent> Dequeue(CallId call, string reason, DateTimeOffset now, int priority = 0, DateTimeOffset? firstQueuedAt = null)
    {
        if (Find(call) is { } e) return [new CallDequeued(now, call, reason, Math.Max(0, (now - e.FirstQueuedAt).TotalSeconds))];
        if (firstQueuedAt is not { } first || Done.Contains(call)) return [];
        return [new CallEnqueued(now, call, priority, first, NextSeq), new CallDequeued(now, call, reason, Math.Max(0, (now - first).TotalSeconds))];
    }

    /// <summary>The time-based overflow rules due at <paramref name="now"/>, at most one per call (the earliest not yet fired).</summary>
    public IEnumerable<(QueueEntry Entry, int RuleIndex, OverflowRule Rule)> DueOverflows(QueueConfig config, DateTimeOffset now)
    {
        foreach (var e in Waiting)
        {
            var next = NextRule(config, e);
            if (next is { } n && e.JoinedAt.AddSeconds(n.Rule.AfterSeconds!.Value) <= now) yield return (e, n.Index, n.Rule);
        }
    }

    /// <summary>The earliest moment a time-based overflow rule becomes due for some waiting call.</summary>
    public DateTimeOffset? NextOverflowAt(QueueConfig config)
    {
        DateTimeOffset? best = null;
        foreach (var e in Waiting)
        {
            if (NextRule(config, e) is not { } n) continue;
            var at = e.JoinedAt.AddSeconds(n.Rule.AfterSeconds!.Value);
            if (best is null || at < best) best = at;
        }
        return best;
    }

    private static (int Index, OverflowRule Rule)? NextRule(QueueConfig config, QueueEntry e)
    {
        (int, OverflowRule)? best = null;
        for (var i = 0; i < config.Overflow.Length; i++)
        {
            var r = config.Overflow[i];
            if (r.AfterSeconds is null || e.RulesFired.Contains(i)) continue;
            if (best is null || r.AfterSeconds < best.Value.Item2.AfterSeconds) best = (i, r);
        }
        return best;
    }

    public QueueState Apply(QueueEvent ev) => ev switch
    {
        CallEnqueued x => this with
        {
            Waiting = Waiting.Add(new QueueEntry(x.Call, x.Priority, x.FirstQueuedAt, x.At, x.Seq, [], [], x.Only)),
            NextSeq = Math.Max(NextSeq, x.Seq + 1),
            Figures = Figures.CountOffered(),
            Done = Done.Remove(x.Call),
        },
        CallEscalated x => Find(x.Call) is { } e
            ? this with { Waiting = Waiting.Replace(e, e with { ExtraTiers = e.ExtraTiers.Contains(x.Tier) ? e.ExtraTiers : e.ExtraTiers.Add(x.Tier), RulesFired = e.RulesFired.Add(x.RuleIndex) }) }
            : this,
        CallDequeued x => Find(x.Call) is { } e
            ? this with
            {
                Waiting = Waiting.Remove(e),
                Figures = Count(Figures, x),
                Done = (Done.Count >= DoneMemory ? Done.RemoveAt(0) : Done).Add(x.Call),
            }
            : this,
        CallHandled x => this with { Figures = Figures.CountHandled(TimeSpan.FromSeconds(x.HandleSeconds)) },
        _ => this,
    };

    private static QueueFigures Count(QueueFigures f, CallDequeued x) => x.Reason switch
    {
        DequeueReason.Answered => f.CountAnswered(TimeSpan.FromSeconds(x.WaitSeconds)),
        DequeueReason.Abandoned => f.CountAbandoned(TimeSpan.FromSeconds(x.WaitSeconds)),
        DequeueReason.Overflowed => f.CountOverflowed(),
        _ => f,
    };
}
