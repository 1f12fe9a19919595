using System.Collections.Immutable;
using Routing.Domain;
using Routing.Domain.Config;
using Routing.Domain.Routing;

namespace Routing.Cluster.Facade;

/// <summary>
/// What the api role (and tests, and later the CLI) can ask of the routing core. Implemented over the
/// sharded entities; every call is a message round-trip into the cluster.
/// </summary>
public interface IRoutingService
{
    /// <summary>The current provider configuration (file plus persisted run-time changes).</summary>
    ProviderConfig Config { get; }

    Task<ProviderConfig> ChangeConfig(ConfigChange change, CancellationToken ct = default);

    Task<OperatorView> GetOperator(OperatorId id, CancellationToken ct = default);
    Task<OperatorView> OperatorAction(OperatorId id, OperatorAction action, CancellationToken ct = default);

    Task<CallView> OfferCall(OfferCallRequest request, CancellationToken ct = default);
    Task<CallView> GetCall(CallId id, CancellationToken ct = default);
    Task<CallView> CallAction(CallId id, CallAction action, CancellationToken ct = default);

    Task<QueueFiguresView> GetQueueFigures(QueueId id, CancellationToken ct = default);
    Task<TenantFiguresView> GetTenantFigures(TenantId id, CancellationToken ct = default);

    /// <summary>A queue's waiting calls in the order it serves them (priority, then arrival).</summary>
    Task<ImmutableArray<WaitingCallView>> GetWaitingCalls(QueueId id, CancellationToken ct = default);

    /// <summary>Every call entity alive anywhere in the cluster that has not ended (asks each node's call region).</summary>
    Task<ImmutableArray<CallView>> GetActiveCalls(CancellationToken ct = default);

    /// <summary>The tenant's recorded arrivals from the calls' journals, as the simulator's CSV (time,queue,talk,patience).</summary>
    Task<string> ExportArrivalsCsv(TenantId id, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct = default);
}

/// <summary>Why a request to the routing core failed; the API maps Kind to an HTTP status.</summary>
public sealed class RoutingException(RoutingErrorKind kind, string message) : Exception(message)
{
    public RoutingErrorKind Kind { get; } = kind;
}

public enum RoutingErrorKind
{
    NotFound,   // 404
    Invalid,    // 400
    Conflict,   // 409 (e.g. operator not logged in, call already ended)
    Unavailable // 503 (cluster did not answer in time)
}

/// <summary>A run-time configuration change, persisted and applied cluster-wide.</summary>
public abstract record ConfigChange
{
    public sealed record UpsertTenant(TenantConfig Tenant) : ConfigChange;
    public sealed record DeleteTenant(TenantId Tenant) : ConfigChange;
    public sealed record UpsertQueue(QueueConfig Queue) : ConfigChange;
    public sealed record DeleteQueue(QueueId Queue) : ConfigChange;
    public sealed record UpsertOperator(OperatorConfig Operator) : ConfigChange;
    public sealed record DeleteOperator(OperatorId Operator) : ConfigChange;
}

/// <summary>What an operator (or a desktop acting for it) asks.</summary>
public abstract record OperatorAction
{
    public sealed record LogIn : OperatorAction;
    public sealed record Ready : OperatorAction;
    public sealed record NotReady(string Reason) : OperatorAction;
    public sealed record LogOut : OperatorAction;
}

/// <summary>A call offered by a channel that is not SIP (or a test): dialled number, caller id, optional digits already known.</summary>
/// <param name="Digits">Menu digits to apply straight away, in order (e.g. "1"); null to stay in the menu.</param>
public sealed record OfferCallRequest(string Number, string Caller, string? Digits, string Channel = "api");

/// <summary>What a channel reports about a call, or an operator does with it.</summary>
public abstract record CallAction
{
    /// <summary>A menu digit pressed by the caller.</summary>
    public sealed record Digit(char Value) : CallAction;
    /// <summary>The offered operator answered.</summary>
    public sealed record Answer(OperatorId Operator) : CallAction;
    /// <summary>The offered operator rejected or did not answer (busy, declined, no-answer).</summary>
    public sealed record Reject(OperatorId Operator, string Reason) : CallAction;
    /// <summary>Either side hung up; Side is "caller" or "operator".</summary>
    public sealed record HangUp(string Side) : CallAction;
    /// <summary>Blind transfer to a queue ("tenant/queue"), an operator id, or an external SIP URI.</summary>
    public sealed record Transfer(string Target) : CallAction;
}

public sealed record OperatorView(
    string Id,
    string Name,
    string Status,
    string? Reason,
    DateTimeOffset Since,
    string? CallId,
    string? ReservationId,
    DateTimeOffset? LeaseUntil,
    int Tier,
    ImmutableDictionary<string, int> Skills,
    ImmutableArray<string> Tenants,
    int CallsHandled,
    double TalkTimeSeconds);

public sealed record CallEventView(DateTimeOffset At, string Type, string Description, object? Details);

public sealed record CallView(
    string Id,
    string Tenant,
    string Number,
    string Caller,
    string State,
    string? Queue,
    string? Operator,
    int? Position,
    double? ExpectedWaitSeconds,
    string? EndCause,
    ImmutableArray<CallEventView> Events);

public sealed record QueueFiguresView(
    string Queue,
    int Waiting,
    double LongestWaitSeconds,
    ImmutableDictionary<string, int> OperatorsByState,
    double? ServiceLevelPercent,
    double ServiceLevelTargetPercent,
    int ServiceLevelTargetSeconds,
    double? AverageSpeedOfAnswerSeconds,
    int Offered,
    int Answered,
    int Abandoned,
    int Overflowed,
    double? AverageHandleTimeSeconds);

public sealed record WaitingCallView(int Position, string Call, int Priority, double WaitingSeconds, double InQueueSeconds);

public sealed record TenantFiguresView(string Tenant, QueueFiguresView Total, ImmutableArray<QueueFiguresView> Queues);
