using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Routing.Api.Endpoints;
using Routing.Cluster.Facade;

namespace Routing.Api;

/// <summary>Registers and maps the Routing HTTP API (everything under /api, the OpenAPI document at /openapi/v1.json).</summary>
public static class RoutingApiExtensions
{
    /// <summary>Adds the API's services. The host registers the <see cref="IRoutingService"/> the API talks to.</summary>
    public static IServiceCollection AddRoutingApi(this IServiceCollection services, Action<RoutingApiOptions>? configure = null)
    {
        services.AddOptions<RoutingApiOptions>();
        if (configure is not null) services.Configure(configure);
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Routing API";
            doc.Info.Version = "v1";
            doc.Info.Description =
                "Admin and operator API of the Routing ACD. Authenticate with the header X-Api-Key (or Authorization: Bearer <key>): " +
                "the provider admin key sees everything; a tenant key sees only its own tenant (other tenants answer 404).";
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary>Maps /api/* and /openapi/v1.json.</summary>
    public static IEndpointRouteBuilder MapRoutingApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        var api = app.MapGroup("/api").AddEndpointFilter(Guard);
        TenantEndpoints.Map(api);
        QueueEndpoints.Map(api);
        OperatorEndpoints.Map(api);
        CallEndpoints.Map(api);
        FigureEndpoints.Map(api);
        return app;
    }

    /// <summary>Body limit, authentication and error mapping for every /api endpoint.</summary>
    private static async ValueTask<object?> Guard(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptions<RoutingApiOptions>>().Value;
        ApiBody.LimitBody(http);
        if (http.Request.ContentLength > options.MaxBodyBytes)
        {
            await ApiBody.DrainAsync(http);
            return ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {options.MaxBodyBytes / 1024} KB");
        }

        var routing = http.RequestServices.GetRequiredService<IRoutingService>();
        var key = ApiCaller.KeyOf(http.Request);
        var caller = ApiCaller.Resolve(key, options.AdminKey ?? routing.Config.AdminKey, routing.Config);
        if (caller is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized,
                key is null ? "an API key is required (header X-Api-Key or Authorization: Bearer)" : "the API key is not valid");
        }
        ApiCaller.Set(http, caller);

        try
        {
            return await next(ctx);
        }
        catch (Exception e) when (ApiProblems.FromException(e, http) is { } problem)
        {
            return problem;
        }
        catch (Exception e) when (e is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Routing.Api")
                .LogError(e, "{Method} {Path} failed", http.Request.Method, http.Request.Path);
            return ApiProblems.Problem(StatusCodes.Status500InternalServerError, "internal error; see the node's log");
        }
    }
}
