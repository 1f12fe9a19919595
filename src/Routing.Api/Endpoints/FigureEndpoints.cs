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
        g.MapGet("/arrivals.csv", Arrivals).WithName("ExportArrivals").Produces<string>(contentType: "text/csv").CommonProblems()
            .WithSummary("Recorded arrivals from the calls' journals, as the simulator's CSV (time,queue,talk,patience); optional ?from=&to= (ISO 8601).");
    }

    private static async Task<IResult> Arrivals(HttpContext http, IRoutingService routing, string tenant, string? from, string? to, CancellationToken ct)
    {
        var id = Access.VisibleTenant(ApiCaller.Of(http), tenant);
        var csv = await routing.ExportArrivalsCsv(id, Time(from, "from"), Time(to, "to"), ct);
        return Results.Text(csv, "text/csv");
    }

    private static DateTimeOffset? Time(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw new RoutingException(RoutingErrorKind.Invalid, $"'{name}' must be an ISO 8601 time, e.g. 2026-11-23T09:00:00Z");

    private static async Task<IResult> Tenant(HttpContext http, IRoutingService routing, string tenant, CancellationToken ct) =>
        Results.Ok(await routing.GetTenantFigures(Access.VisibleTenant(ApiCaller.Of(http), tenant), ct));

    private static async Task<IResult> Queue(HttpContext http, IRoutingService routing, string tenant, string queue, CancellationToken ct) =>
        Results.Ok(await routing.GetQueueFigures(QueueId.Of(Access.VisibleTenant(ApiCaller.Of(http), tenant), queue), ct));
}
