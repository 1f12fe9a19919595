using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Routing.Api;

/// <summary>
/// Documents a request body in the OpenAPI document without <c>Accepts</c> metadata, which would make routing answer
/// 415 to any other Content-Type: the API reads bodies itself and takes JSON (and YAML for configuration) whatever the
/// client says it sends.
/// </summary>
internal static class OpenApiBody
{
    public static RouteHandlerBuilder DocumentBody<T>(this RouteHandlerBuilder builder, bool required, params string[] contentTypes) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct);
            var content = new Dictionary<string, OpenApiMediaType>();
            foreach (var type in contentTypes.Length == 0 ? ["application/json"] : contentTypes)
                content[type] = new OpenApiMediaType { Schema = schema };
            operation.RequestBody = new OpenApiRequestBody { Required = required, Content = content };
        });
}
