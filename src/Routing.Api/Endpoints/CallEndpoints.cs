using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routing.Cluster.Facade;
using Routing.Domain;

namespace Routing.Api.Endpoints;

/// <summary>/api/calls: offer a call without SIP, read its history, and act on it as its channel or operator would.</summary>
internal static class CallEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/calls").WithTags("Calls");
        g.MapPost("/", Offer).WithName("OfferCall").DocumentBody<OfferCallBody>(required: true)
            .Produces<CallView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest).CommonProblems();
        g.MapGet("/{tenant}/{id}", Get).WithName("GetCall").Produces<CallView>().CommonProblems();
        g.MapPost("/{tenant}/{id}/digits", Digits).WithName("CallDigits").DocumentBody<DigitsBody>(required: true).Action();
        g.MapPost("/{tenant}/{id}/answer", Answer).WithName("AnswerCall").DocumentBody<AnswerBody>(required: true).Action();
        g.MapPost("/{tenant}/{id}/reject", Reject).WithName("RejectCall").DocumentBody<RejectBody>(required: true).Action();
        g.MapPost("/{tenant}/{id}/hangup", HangUp).WithName("HangUpCall").DocumentBody<HangUpBody>(required: false).Action();
        g.MapPost("/{tenant}/{id}/transfer", Transfer).WithName("TransferCall").DocumentBody<TransferBody>(required: true).Action();
    }

    private static RouteHandlerBuilder Action(this RouteHandlerBuilder b) =>
        b.Produces<CallView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).CommonProblems();

    private static async Task<IResult> Offer(HttpContext http, IRoutingService routing, CancellationToken ct)
    {
        var caller = ApiCaller.Of(http);
        var body = await ApiBody.RequireJsonAsync<OfferCallBody>(http, ct);
        var number = body.Number?.Trim();
        if (string.IsNullOrEmpty(number)) throw ApiProblemException.BadRequest("'number' (the dialled number) is required");
        if (!caller.IsAdmin && routing.Config.FindTenantByNumber(number)?.Id != caller.Tenant)
            throw ApiProblemException.NotFound($"number {number} is not configured for any tenant");
        var view = await routing.OfferCall(new OfferCallRequest(number, body.Caller?.Trim() ?? "", string.IsNullOrEmpty(body.Digits) ? null : body.Digits), ct);
        return Results.Created($"/api/calls/{view.Id}", view);
    }

    private static CallId Call(HttpContext http, string tenant, string id)
    {
        var t = new TenantId(tenant);
        if (!ApiCaller.Of(http).Sees(t)) throw Access.NoCall($"{tenant}/{id}");
        return new CallId($"{tenant}/{id}");
    }

    private static async Task<IResult> Get(HttpContext http, IRoutingService routing, string tenant, string id, CancellationToken ct) =>
        Results.Ok(await routing.GetCall(Call(http, tenant, id), ct));

    private static async Task<IResult> Digits(HttpContext http, IRoutingService routing, string tenant, string id, CancellationToken ct)
    {
        var call = Call(http, tenant, id);
        var body = await ApiBody.RequireJsonAsync<DigitsBody>(http, ct);
        var digits = body.Digits?.Trim() ?? "";
        if (digits.Length == 0 || digits.Any(d => !(char.IsAsciiDigit(d) || d is '*' or '#')))
            throw ApiProblemException.BadRequest("'digits' must be one or more of 0-9, * and #");
        CallView? view = null;
        foreach (var d in digits) view = await routing.CallAction(call, new CallAction.Digit(d), ct);
        return Results.Ok(view);
    }

    private static async Task<IResult> Answer(HttpContext http, IRoutingService routing, string tenant, string id, CancellationToken ct)
    {
        var call = Call(http, tenant, id);
        var body = await ApiBody.RequireJsonAsync<AnswerBody>(http, ct);
        if (string.IsNullOrWhiteSpace(body.Operator)) throw ApiProblemException.BadRequest("'operator' is required");
        return Results.Ok(await routing.CallAction(call, new CallAction.Answer(new OperatorId(body.Operator.Trim())), ct));
    }

    private static async Task<IResult> Reject(HttpContext http, IRoutingService routing, string tenant, string id, CancellationToken ct)
    {
        var call = Call(http, tenant, id);
        var body = await ApiBody.RequireJsonAsync<RejectBody>(http, ct);
        if (string.IsNullOrWhiteSpace(body.Operator)) throw ApiProblemException.BadRequest("'operator' is required");
        var reason = string.IsNullOrWhiteSpace(body.Reason) ? "declined" : body.Reason.Trim();
        return Results.Ok(await routing.CallAction(call, new CallAction.Reject(new OperatorId(body.Operator.Trim()), reason), ct));
    }

    private static async Task<IResult> HangUp(HttpContext http, IRoutingService routing, string tenant, string id, CancellationToken ct)
    {
        var call = Call(http, tenant, id);
        var body = await ApiBody.ReadJsonAsync<HangUpBody>(http, ct);
        var side = string.IsNullOrWhiteSpace(body?.Side) ? "caller" : body.Side.Trim().ToLowerInvariant();
        if (side is not ("caller" or "operator")) throw ApiProblemException.BadRequest("'side' is \"caller\" or \"operator\"");
        return Results.Ok(await routing.CallAction(call, new CallAction.HangUp(side), ct));
    }

    private static async Task<IResult> Transfer(HttpContext http, IRoutingService routing, string tenant, string id, CancellationToken ct)
    {
        var caller = ApiCaller.Of(http);
        var call = Call(http, tenant, id);
        var body = await ApiBody.RequireJsonAsync<TransferBody>(http, ct);
        var target = body.Target?.Trim() ?? "";
        if (target.Length == 0) throw ApiProblemException.BadRequest("'target' is required: \"tenant/queue\", an operator id or a SIP URI");
        // A tenant key cannot push calls into another tenant's queue.
        var slash = target.IndexOf('/');
        if (!caller.IsAdmin && slash > 0 && !target.StartsWith("sip:", StringComparison.OrdinalIgnoreCase)
            && !target.StartsWith("sips:", StringComparison.OrdinalIgnoreCase) && target[..slash] != caller.Tenant!.Value.Value)
            throw ApiProblemException.NotFound($"queue {target} does not exist");
        return Results.Ok(await routing.CallAction(call, new CallAction.Transfer(target), ct));
    }
}
