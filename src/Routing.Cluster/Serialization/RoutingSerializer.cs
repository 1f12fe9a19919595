using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Routing.Cluster.Messages;
using Routing.Domain;
using Routing.Domain.Calls;
using Routing.Domain.Operators;
using Routing.Domain.Queues;

namespace Routing.Cluster.Serialization;

/// <summary>
/// The one serializer of every Routing cluster message, event and snapshot: JSON (readable in the journal)
/// with short, stable manifests. Events are the persistent contract: their manifests never change.
/// </summary>
public sealed class RoutingSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 4711;

    public override int Identifier => Id;

    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static readonly FrozenDictionary<string, Type> ByManifest;
    private static readonly FrozenDictionary<Type, string> ByType;
    private static readonly ConcurrentDictionary<Type, string> Fallback = new();

    static RoutingSerializer()
    {
        var roots = new[] { typeof(IRoutingMessage), typeof(OperatorEvent), typeof(CallEvent), typeof(QueueEvent) };
        var types = new[] { typeof(IRoutingMessage).Assembly, typeof(OperatorEvent).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: false, IsInterface: false } && roots.Any(r => r.IsAssignableFrom(t)))
            .Concat([typeof(OperatorState), typeof(QueueState), typeof(CallState), typeof(OperatorReply), typeof(CallReply)])
            .Distinct()
            .ToList();
        var byManifest = new Dictionary<string, Type>();
        foreach (var t in types)
        {
            var m = ManifestFor(t);
            if (!byManifest.TryAdd(m, t))
                throw new InvalidOperationException($"Two Routing message types share the manifest '{m}': {byManifest[m]} and {t}");
        }
        ByManifest = byManifest.ToFrozenDictionary();
        ByType = byManifest.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);
    }

    private static string ManifestFor(Type t) =>
        t.DeclaringType is { } outer ? $"{outer.Name}.{t.Name}" : t.Name;

    public override string Manifest(object o) =>
        ByType.TryGetValue(o.GetType(), out var m) ? m : Fallback.GetOrAdd(o.GetType(), t => t.AssemblyQualifiedName!);

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var type = ByManifest.TryGetValue(manifest, out var t) ? t : Type.GetType(manifest)
            ?? throw new SerializationException($"Unknown Routing manifest '{manifest}'");
        return JsonSerializer.Deserialize(bytes, type, Options)
            ?? throw new SerializationException($"Null payload for manifest '{manifest}'");
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            IncludeFields = false,
        };
        o.Converters.Add(new JsonStringEnumConverter());
        o.Converters.Add(new IdConverter<TenantId>(s => new(s), v => v.Value));
        o.Converters.Add(new IdConverter<QueueId>(s => new(s), v => v.Value));
        o.Converters.Add(new IdConverter<OperatorId>(s => new(s), v => v.Value));
        o.Converters.Add(new IdConverter<CallId>(s => new(s), v => v.Value));
        o.Converters.Add(new IdConverter<PoolId>(s => new(s), v => v.Value));
        o.Converters.Add(new IdConverter<ReservationId>(s => new(s), v => v.Value));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    private sealed class IdConverter<T>(Func<string, T> read, Func<T, string> write) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            read(reader.GetString() ?? "");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(write(value));
    }
}
