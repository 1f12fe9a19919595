using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routing.Cluster.Facade;
using Routing.Domain;

namespace Routing.Api.Endpoints;

/// <summary>Live figures of a tenant and of its queues.</summary>
internal static class FigureEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/tenants/{tenant}").WithTags("Figures");
        g.MapGet("/figures", Tenant).WithName("GetTenantFigures").Produces<TenantFiguresView>().CommonProblems();
        g.MapGet("/queues/{queue}/figures", Queue).WithName("GetQueueFigures").Produces<QueueFiguresView>().CommonProblems();
    }

    private static async Task<IResult> Tenant(HttpContext http, IRoutingService routing, string tenant, CancellationToken ct) =>
        Results.Ok(await routing.GetTenantFigures(Access.VisibleTenant(ApiCaller.Of(http), tenant), ct));

    private static async Task<IResult> Queue(HttpContext http, IRoutingService routing, string tenant, string queue, CancellationToken ct) =>
        Results.Ok(await routing.GetQueueFigures(QueueId.Of(Access.VisibleTenant(ApiCaller.Of(http), tenant), queue), ct));
}
