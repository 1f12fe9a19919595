using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Routing.Domain;
using Routing.Domain.Config;

namespace Routing.Api;

/// <summary>
/// Who is calling, from the API key (header <c>X-Api-Key</c>, or <c>Authorization: Bearer &lt;key&gt;</c>): the provider's
/// admin, who sees and changes everything, or one tenant, who sees and changes only its own resources.
/// </summary>
public sealed record ApiCaller(TenantId? Tenant)
{
    public static readonly ApiCaller Admin = new((TenantId?)null);

    public bool IsAdmin => Tenant is null;

    /// <summary>Whether this caller may see the tenant (admin: all; a tenant: itself).</summary>
    public bool Sees(TenantId tenant) => IsAdmin || Tenant == tenant;

    /// <summary>Operators are visible to every tenant they serve.</summary>
    public bool Sees(OperatorConfig op) => IsAdmin || op.Tenants.Contains(Tenant!.Value);

    /// <summary>Only admin changes an operator that serves several tenants; a tenant changes operators serving it alone.</summary>
    public bool MayChange(OperatorConfig op) => IsAdmin || (op.Tenants.Length == 1 && op.Tenants[0] == Tenant!.Value);

    private const string ItemKey = "Routing.Api.Caller";

    /// <summary>The caller this request was authenticated as (set by the API's filter).</summary>
    public static ApiCaller Of(HttpContext http) =>
        http.Items[ItemKey] as ApiCaller ?? throw new InvalidOperationException("request was not authenticated");

    internal static void Set(HttpContext http, ApiCaller caller) => http.Items[ItemKey] = caller;

    /// <summary>The key the request carries, or null.</summary>
    public static string? KeyOf(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var key) && !string.IsNullOrWhiteSpace(key.ToString()))
            return key.ToString().Trim();
        var auth = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (auth.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && auth.Length > bearer.Length)
            return auth[bearer.Length..].Trim();
        return null;
    }

    /// <summary>The caller a key stands for, or null when the key is unknown.</summary>
    public static ApiCaller? Resolve(string? key, string? adminKey, ProviderConfig config)
    {
        if (string.IsNullOrEmpty(key)) return null;
        if (!string.IsNullOrEmpty(adminKey) && FixedTimeEquals(key, adminKey)) return Admin;
        ApiCaller? found = null;
        foreach (var t in config.Tenants)
            if (!string.IsNullOrEmpty(t.ApiKey) && FixedTimeEquals(key, t.ApiKey)) found ??= new ApiCaller(t.Id);
        return found;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
