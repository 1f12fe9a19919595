using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Routing.Integration.Tests.Cluster;

/// <summary>
/// A contact centre's day, compressed, against a cluster's HTTP API: callers arrive at a steady rate, wait with a
/// patience of their own and hang up when it runs out; operators' phones "ring" when their entity is reserved for a
/// call, they answer, talk and hang up. Nothing here knows where the entities live: it is what a gateway and the
/// operators' phones do. Everything observed is recorded, so a test can check it against the journal afterwards.
/// </summary>
public sealed class ContactCentreLoad : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _number;
    private readonly IReadOnlyList<string> _operators;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _agents = [];
    private readonly ConcurrentDictionary<string, CallerRecord> _calls = new();
    private readonly ConcurrentDictionary<string, string> _answeredBy = new();
    private readonly ConcurrentQueue<(TimeSpan At, bool Ok)> _requests = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _offerErrors;
    private Task? _offering;
    private CancellationTokenSource _offers = new();

    public ContactCentreLoad(Uri api, string tenantKey, string number, IReadOnlyList<string> operators)
    {
        _http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(15) };
        _http.DefaultRequestHeaders.Add("X-Api-Key", tenantKey);
        _number = number;
        _operators = operators;
    }

    /// <summary>Callers per second offered while offering runs.</summary>
    public double Rate { get; init; } = 3;

    public (double Min, double Max) PatienceSeconds { get; init; } = (6, 20);

    public (double Min, double Max) TalkSeconds { get; init; } = (1, 3);

    /// <summary>Every call the driver knows: offered by it (201), or answered by one of its operators.</summary>
    public IReadOnlyDictionary<string, CallerRecord> Calls => _calls;

    /// <summary>Which operator the driver answered each call as.</summary>
    public IReadOnlyDictionary<string, string> AnsweredBy => _answeredBy;

    /// <summary>Offers that got no 201 (the caller would hear a 503 and redial).</summary>
    public int OfferErrors => _offerErrors;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Logs every operator in, makes them ready, and starts their phones.</summary>
    public async Task StartOperatorsAsync()
    {
        foreach (var op in _operators)
        {
            await Retry(() => _http.PostAsync($"api/operators/{op}/login", null));
            await Retry(() => _http.PostAsync($"api/operators/{op}/ready", null));
            _agents.Add(Task.Run(() => OperatorPhone(op, _stop.Token)));
        }
    }

    public void StartOffering()
    {
        _offers = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _offering = Task.Run(() => Offer(_offers.Token));
    }

    public async Task StopOfferingAsync()
    {
        await _offers.CancelAsync();
        if (_offering is not null) await _offering;
    }

    /// <summary>Waits until every known call has ended (the callers and operators keep going meanwhile).</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_calls.Values.All(c => c.Ended.Task.IsCompleted)) return true;
            await Task.Delay(200);
        }
        return false;
    }

    /// <summary>Successful API answers per second in [from, to) of the run.</summary>
    public double OkPerSecond(TimeSpan from, TimeSpan to) =>
        _requests.Count(r => r.Ok && r.At >= from && r.At < to) / Math.Max(0.001, (to - from).TotalSeconds);

    /// <summary>Calls ended as completed per second in [from, to).</summary>
    public double CompletedPerSecond(TimeSpan from, TimeSpan to) =>
        _calls.Values.Count(c => c.Ended.Task.IsCompletedSuccessfully && c.Ended.Task.Result == "completed" && c.EndedAt >= from && c.EndedAt < to)
        / Math.Max(0.001, (to - from).TotalSeconds);

    /// <summary>The longest stretch without a single successful API answer (what a caller would notice as a stall).</summary>
    public TimeSpan LongestStall()
    {
        var ok = _requests.Where(r => r.Ok).Select(r => r.At).OrderBy(t => t).ToList();
        var worst = TimeSpan.Zero;
        for (var i = 1; i < ok.Count; i++) if (ok[i] - ok[i - 1] > worst) worst = ok[i] - ok[i - 1];
        return worst;
    }

    public async Task<JsonNode?> GetCall(string id)
    {
        using var r = await _http.GetAsync($"api/calls/{id}");
        return r.IsSuccessStatusCode ? JsonNode.Parse(await r.Content.ReadAsStringAsync()) : null;
    }

    public async Task<JsonNode?> GetOperator(string id)
    {
        using var r = await _http.GetAsync($"api/operators/{id}");
        return r.IsSuccessStatusCode ? JsonNode.Parse(await r.Content.ReadAsStringAsync()) : null;
    }

    public async Task<JsonNode?> GetJson(string path)
    {
        using var r = await _http.GetAsync(path);
        return r.IsSuccessStatusCode ? JsonNode.Parse(await r.Content.ReadAsStringAsync()) : null;
    }

    private async Task Offer(CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(1 / Rate);
        var next = _clock.Elapsed;
        var n = 0;
        while (!ct.IsCancellationRequested)
        {
            next += interval;
            var caller = $"+49301{Interlocked.Increment(ref n):D6}";
            _ = Task.Run(() => Caller(caller, _stop.Token));
            var wait = next - _clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, ct); } catch (OperationCanceledException) { break; }
            }
        }
    }

    private async Task Caller(string caller, CancellationToken ct)
    {
        string? id = null;
        try
        {
            using var r = await _http.PostAsJsonAsync("api/calls", new { number = _number, caller }, ct);
            Record(r.StatusCode == HttpStatusCode.Created);
            if (r.StatusCode != HttpStatusCode.Created)
            {
                Interlocked.Increment(ref _offerErrors);
                return;
            }
            id = JsonNode.Parse(await r.Content.ReadAsStringAsync(ct))!["id"]!.ToString();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Record(false);
            Interlocked.Increment(ref _offerErrors);
            return;
        }
        var record = _calls.GetOrAdd(id, _ => new CallerRecord(id));
        record.OfferedAt = _clock.Elapsed;
        var patience = TimeSpan.FromSeconds(PatienceSeconds.Min + Random.Shared.NextDouble() * (PatienceSeconds.Max - PatienceSeconds.Min));
        await Watch(record, patience, ct);
    }

    /// <summary>Follows one call to its end; with a patience, hangs up as the caller when it runs out before an answer.</summary>
    private async Task Watch(CallerRecord record, TimeSpan? patience, CancellationToken ct)
    {
        var id = record.Id;
        var hungUp = false;
        while (!ct.IsCancellationRequested && !record.Ended.Task.IsCompleted)
        {
            var call = await Try(() => GetCall(id));
            var state = call?["state"]?.ToString();
            if (state == "ended")
            {
                record.EndedAt = _clock.Elapsed;
                record.Ended.TrySetResult(call!["endCause"]?.ToString() ?? "");
                return;
            }
            if (!hungUp && patience is { } p && state is "queued" or "ringing" && _clock.Elapsed - record.OfferedAt > p)
            {
                // The caller gives up. Until the cluster confirms it, keep trying: a real caller's BYE is retransmitted.
                using var r = await TryPost($"api/calls/{id}/hangup", new { side = "caller" });
                hungUp = r?.IsSuccessStatusCode == true;
            }
            try { await Task.Delay(300, ct); } catch (OperationCanceledException) { return; }
        }
    }

    private async Task OperatorPhone(string op, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var view = await Try(() => GetOperator(op));
                var state = view?["state"];
                if (state?["status"]?.ToString() == "reserved" && state["callId"]?.ToString() is { Length: > 0 } callId)
                {
                    // The phone rings: pick up. Like a SIP 200 OK, the answer is repeated until the cluster gives a
                    // definite reply (taken, or 409 refused): a timeout or a 503 while the operator's or the call's shard
                    // moves says nothing about whether the call was connected, and a phone that picked up is in the call.
                    var answered = false;
                    for (var attempt = 0; attempt < 100 && !ct.IsCancellationRequested; attempt++)
                    {
                        using var answer = await TryPost($"api/calls/{callId}/answer", new { @operator = op });
                        if (answer?.IsSuccessStatusCode == true) { answered = true; break; }
                        if (answer?.StatusCode == HttpStatusCode.Conflict) break;
                        await Task.Delay(200, ct);
                    }
                    if (answered)
                    {
                        _answeredBy[callId] = op;
                        var record = new CallerRecord(callId) { OfferedAt = _clock.Elapsed };
                        if (_calls.TryAdd(callId, record))
                            _ = Task.Run(() => Watch(record, null, _stop.Token)); // a call whose offer timed out but which started anyway
                        else record = _calls[callId];
                        record.ConnectedAt = _clock.Elapsed;
                        var talk = TimeSpan.FromSeconds(TalkSeconds.Min + Random.Shared.NextDouble() * (TalkSeconds.Max - TalkSeconds.Min));
                        await Task.Delay(talk, ct);
                        // Hang up; like a BYE, retried until the cluster takes it.
                        for (var attempt = 0; attempt < 100 && !ct.IsCancellationRequested; attempt++)
                        {
                            using var bye = await TryPost($"api/calls/{callId}/hangup", new { side = "operator" });
                            if (bye?.IsSuccessStatusCode == true || bye?.StatusCode == HttpStatusCode.Conflict) break;
                            await Task.Delay(200, ct);
                        }
                        continue;
                    }
                }
                await Task.Delay(150, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<T?> Try<T>(Func<Task<T?>> get) where T : class
    {
        try
        {
            var v = await get();
            Record(v is not null);
            return v;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Record(false);
            return null;
        }
    }

    private async Task<HttpResponseMessage?> TryPost(string path, object body)
    {
        try
        {
            var r = await _http.PostAsJsonAsync(path, body);
            Record(r.IsSuccessStatusCode);
            return r;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Record(false);
            return null;
        }
    }

    private async Task Retry(Func<Task<HttpResponseMessage>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var r = await call();
                if (r.IsSuccessStatusCode) return;
                if (attempt > 50) throw new InvalidOperationException($"{r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && attempt < 50)
            {
            }
            await Task.Delay(200);
        }
    }

    private void Record(bool ok) => _requests.Enqueue((_clock.Elapsed, ok));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await Task.WhenAll(_agents); } catch (OperationCanceledException) { }
        _http.Dispose();
    }
}

public sealed class CallerRecord(string id)
{
    public string Id { get; } = id;
    public TimeSpan OfferedAt { get; set; }
    public TimeSpan? ConnectedAt { get; set; }
    public TimeSpan EndedAt { get; set; }

    /// <summary>Completes with the end cause the cluster reported.</summary>
    public TaskCompletionSource<string> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
