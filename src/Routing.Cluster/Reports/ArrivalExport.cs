using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Routing.Domain;
using Routing.Domain.Calls;

namespace Routing.Cluster.Reports;

/// <summary>
/// Reads the calls' journals (Akka.Persistence.Query) into the simulator's recorded-arrivals CSV:
/// <c>time,queue,talk,patience</c> — when the caller started waiting, in which queue, how long the operator talked,
/// and, for callers who hung up while waiting, how long they were willing to wait (empty otherwise: unknown).
/// </summary>
public static class ArrivalExport
{
    public sealed record Arrival(DateTimeOffset Time, QueueId Queue, double? TalkSeconds, double? PatienceSeconds);

    /// <summary>One call's arrival from its events, or null when it never waited in a queue.</summary>
    public static Arrival? FromHistory(IReadOnlyList<CallEvent> events)
    {
        var queued = events.OfType<CallQueued>().FirstOrDefault();
        if (queued is null) return null;
        var connected = events.OfType<CallConnected>().FirstOrDefault();
        var ended = events.OfType<CallEnded>().LastOrDefault();
        double? talk = null, patience = null;
        if (connected is not null && ended is not null) talk = Math.Max(0, (ended.At - connected.At).TotalSeconds);
        else if (connected is not null && events.OfType<CallTransferred>().FirstOrDefault(t => t.At >= connected.At) is { } tr)
            talk = Math.Max(0, (tr.At - connected.At).TotalSeconds);
        if (connected is null && ended is { Cause: CallEndCause.Abandoned })
            patience = Math.Max(0, (ended.At - queued.FirstQueuedAt).TotalSeconds);
        return new Arrival(queued.FirstQueuedAt, queued.Queue, talk, patience);
    }

    public static async Task<IReadOnlyList<Arrival>> ReadAsync(ActorSystem system, TenantId tenant, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var materializer = system.Materializer();
        var prefix = $"call-{tenant.Value}/";
        var arrivals = await journal.CurrentPersistenceIds()
            .Where(id => id.StartsWith(prefix, StringComparison.Ordinal))
            .SelectAsync(4, async id => await journal.CurrentEventsByPersistenceId(id, 0, long.MaxValue)
                .Select(e => e.Event)
                .RunAggregate(new List<CallEvent>(), (list, e) => { if (e is CallEvent ce) list.Add(ce); return list; }, materializer))
            .RunAggregate(new List<Arrival>(), (list, history) =>
            {
                // Streams carry no nulls: calls that never waited are dropped here.
                if (FromHistory(history) is { } a && (from is null || a.Time >= from) && (to is null || a.Time < to)) list.Add(a);
                return list;
            }, materializer)
            .WaitAsync(ct);
        arrivals.Sort((a, b) => a.Time.CompareTo(b.Time));
        return arrivals;
    }

    public static string ToCsv(IEnumerable<Arrival> arrivals)
    {
        var sb = new StringBuilder("time,queue,talk,patience\n");
        foreach (var a in arrivals)
        {
            sb.Append(a.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)).Append(',')
              .Append(a.Queue.Value).Append(',')
              .Append(a.TalkSeconds is { } t ? t.ToString("0.###", CultureInfo.InvariantCulture) : "").Append(',')
              .Append(a.PatienceSeconds is { } p ? p.ToString("0.###", CultureInfo.InvariantCulture) : "").Append('\n');
        }
        return sb.ToString();
    }
}
