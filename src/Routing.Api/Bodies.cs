using Routing.Cluster.Facade;

namespace Routing.Api;

/// <summary>POST /api/calls: a call offered by a channel that is not SIP.</summary>
public sealed record OfferCallBody(string? Number, string? Caller, string? Digits);

/// <summary>Menu digits pressed by the caller, applied in order.</summary>
public sealed record DigitsBody(string? Digits);

/// <summary>The offered operator answered.</summary>
public sealed record AnswerBody(string? Operator);

/// <summary>The offered operator declined or did not answer.</summary>
public sealed record RejectBody(string? Operator, string? Reason);

/// <summary>Who hung up: "caller" (default) or "operator".</summary>
public sealed record HangUpBody(string? Side);

/// <summary>Blind transfer target: "tenant/queue", an operator id, or a SIP URI.</summary>
public sealed record TransferBody(string? Target);

/// <summary>The not-ready reason (break, lunch, training…).</summary>
public sealed record NotReadyBody(string? Reason);

/// <summary>GET /api/operators/{id}: the operator's configuration (the file's shape) and its live state.</summary>
public sealed record OperatorDetails(IDictionary<string, object?> Config, OperatorView State);
