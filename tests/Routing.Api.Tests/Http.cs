using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Routing.Api.Tests;

/// <summary>Small helpers: JSON in and out, status assertions that show the body, bounded polling.</summary>
internal static class Http
{
    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static StringContent Text(string body, string mediaType = "application/json") => new(body, Encoding.UTF8, mediaType);

    public static async Task<JsonNode> Expect(this Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>GETs until the answer satisfies <paramref name="done"/>, for at most <paramref name="timeout"/>.</summary>
    public static async Task<JsonNode> Poll(this HttpClient client, string path, Func<JsonNode, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        JsonNode? last = null;
        string? lastText = null;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync(path);
            lastText = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                last = JsonNode.Parse(lastText)!;
                if (done(last)) return last;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100)); // between polls only; the condition decides
        }
        throw new Xunit.Sdk.XunitException($"GET {path}: condition not met within the time limit; last answer: {lastText}");
    }

    public static string[] Strings(this JsonNode? array) =>
        array is JsonArray a ? [.. a.Select(x => x is JsonObject o && o["id"] is { } id ? id.GetValue<string>() : x!.ToString())] : [];
}
