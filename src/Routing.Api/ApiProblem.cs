using Microsoft.AspNetCore.Http;
using Routing.Cluster.Facade;
using Routing.Domain.Config;

namespace Routing.Api;

/// <summary>A request the API refuses, with its HTTP status; turned into a ProblemDetails answer.</summary>
public sealed class ApiProblemException(int status, string detail, IReadOnlyList<string>? errors = null) : Exception(detail)
{
    public int Status { get; } = status;

    public IReadOnlyList<string>? Errors { get; } = errors;

    public static ApiProblemException BadRequest(string detail, IReadOnlyList<string>? errors = null) => new(StatusCodes.Status400BadRequest, detail, errors);

    public static ApiProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, detail);

    public static ApiProblemException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, detail);

    public static ApiProblemException Conflict(string detail) => new(StatusCodes.Status409Conflict, detail);

    public static ApiProblemException TooLarge(long max) => new(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {max / 1024} KB");
}

/// <summary>Maps exceptions to ProblemDetails answers: RoutingException kinds, configuration errors, API refusals.</summary>
public static class ApiProblems
{
    public static IResult Problem(int status, string detail, IReadOnlyList<string>? errors = null, HttpContext? http = null)
    {
        if (status == StatusCodes.Status503ServiceUnavailable && http is not null) http.Response.Headers.RetryAfter = "1";
        var extensions = errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors };
        return Results.Problem(detail: detail, statusCode: status, extensions: extensions);
    }

    public static IResult? FromException(Exception e, HttpContext http) => e switch
    {
        ApiProblemException p => Problem(p.Status, p.Message, p.Errors, http),
        ConfigException c => Problem(StatusCodes.Status400BadRequest, "the body is not a valid configuration",
            [.. c.Errors.Select(x => x.ToString())], http),
        RoutingException r => Problem(r.Kind switch
        {
            RoutingErrorKind.NotFound => StatusCodes.Status404NotFound,
            RoutingErrorKind.Invalid => StatusCodes.Status400BadRequest,
            RoutingErrorKind.Conflict => StatusCodes.Status409Conflict,
            RoutingErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        }, r.Message, null, http),
        BadHttpRequestException b => Problem(b.StatusCode, b.Message, null, http),
        _ => null,
    };
}
