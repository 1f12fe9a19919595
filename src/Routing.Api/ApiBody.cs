using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Routing.Api;

/// <summary>Reads request bodies with the API's limits and error messages (413 over the limit, 400 with the reason for bad JSON).</summary>
public static class ApiBody
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The body as text; empty when there is none.</summary>
    public static async Task<string> ReadTextAsync(HttpContext http, CancellationToken ct)
    {
        var max = http.RequestServices.GetRequiredService<IOptions<RoutingApiOptions>>().Value.MaxBodyBytes;
        if (http.Request.ContentLength > max)
        {
            await DrainAsync(http);
            throw ApiProblemException.TooLarge(max);
        }
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > max)
            {
                await DrainAsync(http);
                throw ApiProblemException.TooLarge(max);
            }
        }
        try
        {
            var text = StrictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException)
        {
            throw ApiProblemException.BadRequest("the body is not UTF-8 text");
        }
    }

    /// <summary>The body as JSON of type <typeparamref name="T"/>; null when there is no body.</summary>
    public static async Task<T?> ReadJsonAsync<T>(HttpContext http, CancellationToken ct) where T : class
    {
        var text = await ReadTextAsync(http, ct);
        if (string.IsNullOrWhiteSpace(text)) return null;
        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return JsonSerializer.Deserialize<T>(text, options) ?? throw ApiProblemException.BadRequest("the body is JSON null: expected an object");
        }
        catch (JsonException e)
        {
            throw ApiProblemException.BadRequest($"malformed JSON: {e.Message}");
        }
    }

    /// <summary>Like <see cref="ReadJsonAsync{T}"/>, but a missing body is a 400.</summary>
    public static async Task<T> RequireJsonAsync<T>(HttpContext http, CancellationToken ct) where T : class =>
        await ReadJsonAsync<T>(http, ct) ?? throw ApiProblemException.BadRequest("the request needs a JSON body");

    /// <summary>The raw body of a configuration resource (YAML or JSON); a missing body is a 400.</summary>
    public static async Task<string> RequireConfigTextAsync(HttpContext http, CancellationToken ct)
    {
        var text = await ReadTextAsync(http, ct);
        if (string.IsNullOrWhiteSpace(text)) throw ApiProblemException.BadRequest("the request needs a body (JSON or YAML, the shape of the configuration file's entry)");
        return text;
    }

    /// <summary>Applies the server limit on hosts that have none or a larger one (Routing.Node sets Kestrel's).</summary>
    internal static void LimitBody(HttpContext http)
    {
        var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false } && (feature.MaxRequestBodySize is null || feature.MaxRequestBodySize > RoutingApiOptions.ServerBodyLimitBytes))
            feature.MaxRequestBodySize = RoutingApiOptions.ServerBodyLimitBytes;
    }

    /// <summary>
    /// Reads and discards the rest of a refused body. Answering without reading it would close the connection with
    /// unread data, which resets it, and the client would see a broken connection instead of the 413.
    /// </summary>
    internal static async Task DrainAsync(HttpContext http)
    {
        var chunk = new byte[8192];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            while (await http.Request.Body.ReadAsync(chunk, timeout.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is BadHttpRequestException or OperationCanceledException or IOException)
        {
            // Over the server's limit, or too slow: the server closes this connection after the answer.
            http.Response.Headers.Connection = "close";
        }
    }
}
