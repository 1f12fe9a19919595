using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routing.Cluster.Facade;
using Routing.Domain;
using Routing.Domain.Config;

namespace Routing.Api.Endpoints;

/// <summary>
/// /api/operators: operators belong to the provider and may serve several tenants. A tenant key sees the operators
/// that serve its tenant and changes those that serve it alone; an operator shared with another tenant is changed
/// only with the admin key. Any caller that sees an operator may log it in, make it ready or not ready, log it out.
/// </summary>
internal static class OperatorEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/operators").WithTags("Operators");
        g.MapGet("/", List).WithName("ListOperators").Produces<List<Dictionary<string, object?>>>().CommonProblems();
        g.MapPost("/", Create).WithName("CreateOperator").AcceptsConfig()
            .Produces<Dictionary<string, object?>>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict).CommonProblems();
        g.MapGet("/{id}", Get).WithName("GetOperator").Produces<OperatorDetails>().CommonProblems();
        g.MapPut("/{id}", Put).WithName("PutOperator").AcceptsConfig()
            .Produces<Dictionary<string, object?>>().Produces<Dictionary<string, object?>>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status403Forbidden).CommonProblems();
        g.MapDelete("/{id}", Delete).WithName("DeleteOperator").Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden).CommonProblems();

        g.MapPost("/{id}/login", (HttpContext http, IRoutingService r, string id, CancellationToken ct) =>
            Act(http, r, id, new OperatorAction.LogIn(), ct)).WithName("LogInOperator").Produces<OperatorView>().ProducesProblem(StatusCodes.Status409Conflict).CommonProblems();
        g.MapPost("/{id}/ready", (HttpContext http, IRoutingService r, string id, CancellationToken ct) =>
            Act(http, r, id, new OperatorAction.Ready(), ct)).WithName("MakeOperatorReady").Produces<OperatorView>().ProducesProblem(StatusCodes.Status409Conflict).CommonProblems();
        g.MapPost("/{id}/logout", (HttpContext http, IRoutingService r, string id, CancellationToken ct) =>
            Act(http, r, id, new OperatorAction.LogOut(), ct)).WithName("LogOutOperator").Produces<OperatorView>().ProducesProblem(StatusCodes.Status409Conflict).CommonProblems();
        g.MapPost("/{id}/not-ready", NotReady).WithName("MakeOperatorNotReady").DocumentBody<NotReadyBody>(required: false)
            .Produces<OperatorView>().ProducesProblem(StatusCodes.Status409Conflict).CommonProblems();
    }

    private static IResult List(HttpContext http, IRoutingService routing, string? tenant)
    {
        var caller = ApiCaller.Of(http);
        var config = routing.Config;
        TenantId? filter = null;
        if (!string.IsNullOrEmpty(tenant)) filter = Access.Tenant(caller, config, tenant).Id;
        var ops = config.Operators.Where(caller.Sees).Where(o => filter is null || o.Tenants.Contains(filter.Value));
        return Results.Ok(ops.Select(o => Access.OperatorTree(o, caller)).ToList());
    }

    private static async Task<IResult> Get(HttpContext http, IRoutingService routing, string id, CancellationToken ct)
    {
        var caller = ApiCaller.Of(http);
        var op = Access.Operator(caller, routing.Config, id);
        var state = await routing.GetOperator(op.Id, ct);
        return Results.Ok(new OperatorDetails(Access.OperatorTree(op, caller), state));
    }

    private static async Task<IResult> Create(HttpContext http, IRoutingService routing, CancellationToken ct)
    {
        var caller = ApiCaller.Of(http);
        var text = await ApiBody.RequireConfigTextAsync(http, ct);
        var current = routing.Config;
        var parsed = ConfigLoader.ParseOperator(text, Access.BodySource, current);
        if (!caller.MayChange(parsed))
            throw ApiProblemException.Forbidden("a tenant key can only create operators that serve its own tenant alone");
        if (current.FindOperator(parsed.Id) is not null)
            throw ApiProblemException.Conflict($"operator id {parsed.Id} is taken (operator ids are provider-wide)");
        var after = await routing.ChangeConfig(new ConfigChange.UpsertOperator(parsed), ct);
        return Results.Created($"/api/operators/{Uri.EscapeDataString(parsed.Id.Value)}", Access.OperatorTree(after.FindOperator(parsed.Id) ?? parsed, caller));
    }

    private static async Task<IResult> Put(HttpContext http, IRoutingService routing, string id, CancellationToken ct)
    {
        var caller = ApiCaller.Of(http);
        var current = routing.Config;
        var existing = current.FindOperator(new OperatorId(id));
        if (existing is not null)
        {
            Access.Operator(caller, current, id);
            if (!caller.MayChange(existing))
                throw ApiProblemException.Forbidden("only the provider's admin key can change an operator that serves several tenants");
        }
        var text = await ApiBody.RequireConfigTextAsync(http, ct);
        var parsed = ConfigLoader.ParseOperator(text, Access.BodySource, current);
        if (parsed.Id.Value != id) throw ApiProblemException.BadRequest($"the body's id '{parsed.Id}' differs from the URL's '{id}'");
        if (!caller.MayChange(parsed))
            throw ApiProblemException.Forbidden("a tenant key can only make an operator serve its own tenant alone");
        var after = await routing.ChangeConfig(new ConfigChange.UpsertOperator(parsed), ct);
        var tree = Access.OperatorTree(after.FindOperator(parsed.Id) ?? parsed, caller);
        return existing is null ? Results.Created($"/api/operators/{Uri.EscapeDataString(id)}", tree) : Results.Ok(tree);
    }

    private static async Task<IResult> Delete(HttpContext http, IRoutingService routing, string id, CancellationToken ct)
    {
        var caller = ApiCaller.Of(http);
        var op = Access.Operator(caller, routing.Config, id);
        if (!caller.MayChange(op))
            throw ApiProblemException.Forbidden("only the provider's admin key can delete an operator that serves several tenants");
        await routing.ChangeConfig(new ConfigChange.DeleteOperator(op.Id), ct);
        return Results.NoContent();
    }

    private static async Task<IResult> Act(HttpContext http, IRoutingService routing, string id, OperatorAction action, CancellationToken ct)
    {
        var op = Access.Operator(ApiCaller.Of(http), routing.Config, id);
        return Results.Ok(await routing.OperatorAction(op.Id, action, ct));
    }

    private static async Task<IResult> NotReady(HttpContext http, IRoutingService routing, string id, CancellationToken ct)
    {
        var op = Access.Operator(ApiCaller.Of(http), routing.Config, id);
        var body = await ApiBody.ReadJsonAsync<NotReadyBody>(http, ct);
        var reason = string.IsNullOrWhiteSpace(body?.Reason) ? "break" : body.Reason.Trim();
        return Results.Ok(await routing.OperatorAction(op.Id, new OperatorAction.NotReady(reason), ct));
    }
}
