using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Routing.Cluster.Config;
using Routing.Cluster.Sharding;

namespace Routing.Cluster.Entities;

/// <summary>
/// What the persistent Routing entities share: settings, configuration, regions, the clock, snapshot
/// housekeeping and deadline timers. Untyped on purpose: a ReceivePersistentActor keeps handler tables per
/// instance (about 1 KB), which counts at tens of thousands of entities.
/// </summary>
public abstract class RoutingEntity(RoutingSettings settings, TimeProvider clock) : UntypedPersistentActor
{
    protected RoutingSettings Settings { get; } = settings;
    protected ConfigView ConfigView { get; } = ConfigView.Get(Context.System);
    protected Regions Regions { get; } = Regions.Get(Context.System);
    protected DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>Tell this entity <paramref name="message"/> at <paramref name="at"/> (at once when it has passed).</summary>
    protected ICancelable ScheduleAt(DateTimeOffset at, object message)
    {
        var delay = at - Now;
        return Context.System.Scheduler.ScheduleTellOnceCancelable(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Self, message, Self);
    }

    /// <summary>Persist events in one atomic write, apply each, then run <paramref name="afterLast"/> once.</summary>
    protected void PersistAllThen<TEvent>(IReadOnlyCollection<TEvent> events, Action<TEvent> apply, Action afterLast)
    {
        var remaining = events.Count;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        PersistAll(events, e =>
        {
            apply(e);
            if (--remaining != 0) return;
            RoutingMetrics.JournalWritten(started);
            afterLast();
        });
    }

    /// <summary>Snapshot every <c>snapshot-every</c> events, keeping only the newest.</summary>
    protected void SnapshotIfDue(object state)
    {
        if (LastSequenceNr % Settings.SnapshotEvery == 0) SaveSnapshot(state);
    }

    /// <summary>Handles the snapshot store's replies; true when <paramref name="message"/> was one.</summary>
    protected bool HandleSnapshotReplies(object message)
    {
        switch (message)
        {
            case SaveSnapshotSuccess s:
                DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
                return true;
            case SaveSnapshotFailure f:
                Log.Warning("Snapshot of {0} failed: {1}", PersistenceId, f.Cause.Message);
                return true;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure:
                return true;
            default:
                return false;
        }
    }
}
