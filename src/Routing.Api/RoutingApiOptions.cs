namespace Routing.Api;

/// <summary>Settings of the HTTP API.</summary>
public sealed class RoutingApiOptions
{
    public const long DefaultMaxBodyBytes = 64 * 1024;

    /// <summary>
    /// The server's own limit (Kestrel's MaxRequestBodySize in Routing.Node). Bodies between <see cref="MaxBodyBytes"/> and
    /// this are read to the end and answered 413, so the client sees the answer; larger ones make the server cut the connection.
    /// </summary>
    public const long ServerBodyLimitBytes = 1024 * 1024;

    /// <summary>The provider admin key; when set it replaces the configuration's <c>provider.adminKey</c> (ROUTING_ADMIN_KEY).</summary>
    public string? AdminKey { get; set; }

    /// <summary>Bodies larger than this are refused with 413.</summary>
    public long MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;
}
