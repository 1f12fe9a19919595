using System.Text.Json;
using System.Text.Json.Serialization;
using Routing.Domain;

namespace Routing.Api;

/// <summary>The API's JSON: camelCase names, enums as kebab-case strings (as in the configuration file), ids as plain strings.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.DictionaryKeyPolicy = null; // skill names, operator states: keys are data, written as they are
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.PropertyNameCaseInsensitive = true;
        o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping; // JSON for API clients, never inlined in HTML
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        o.Converters.Add(new IdConverter<TenantId>(v => new(v), id => id.Value));
        o.Converters.Add(new IdConverter<QueueId>(v => new(v), id => id.Value));
        o.Converters.Add(new IdConverter<OperatorId>(v => new(v), id => id.Value));
        o.Converters.Add(new IdConverter<CallId>(v => new(v), id => id.Value));
        o.Converters.Add(new IdConverter<PoolId>(v => new(v), id => id.Value));
        o.Converters.Add(new IdConverter<ReservationId>(v => new(v), id => id.Value));
    }

    public static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(o);
        return o;
    }

    private sealed class IdConverter<T>(Func<string, T> make, Func<T, string> text) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            make(reader.GetString() ?? throw new JsonException($"expected a string for {typeof(T).Name}"));

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(text(value));
    }
}
