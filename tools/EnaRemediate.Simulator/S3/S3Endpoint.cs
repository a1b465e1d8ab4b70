using System.Globalization;
using System.Security;
using EnaRemediate.Simulator.World;
using Microsoft.AspNetCore.Http;

namespace EnaRemediate.Simulator.S3;

/// <summary>
/// S3's REST API, path-style (http://127.0.0.1:PORT/BUCKET/KEY, the SDK's ForcePathStyle), for
/// what the inventory needs: CreateBucket (PUT /BUCKET), GetObject and HeadObject (GET/HEAD
/// /BUCKET/KEY). Errors are S3's XML (&lt;Error&gt;&lt;Code&gt;NoSuchKey&lt;/Code&gt;…) with its status codes.
/// </summary>
internal sealed class S3Endpoint(SimulatedWorld world)
{
    /// <summary>Whether a request is for S3: anything but the EC2/SSM/Auto Scaling POST to "/".</summary>
    public static bool Handles(HttpRequest request) =>
        !request.Headers.ContainsKey("X-Amz-Target") && request.Path.HasValue && request.Path.Value.Length > 1;

    public async Task ServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!.TrimStart('/');
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? path : path[..slash];
        // Kestrel has decoded the path already, all but an encoded '/'.
        var key = slash < 0 ? "" : path[(slash + 1)..].Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        var method = context.Request.Method;
        var operation = (key.Length == 0, method) switch
        {
            (true, "PUT") => "CreateBucket",
            (true, _) => "Bucket" + method,
            (false, "GET") => "GetObject",
            (false, "HEAD") => "HeadObject",
            (false, _) => "Object" + method,
        };
        world.Counters.Count(operation);
        // Not from the world's seeded ids: a request id must not shift the ids of what the world creates.
        var requestId = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        context.Response.Headers["x-amz-request-id"] = requestId;
        if (world.Permissions.IsDenied(operation))
        {
            await Error(context, 403, "AccessDenied", "Access Denied", requestId);
            return;
        }
        StoredObject? found = null;
        (int Status, string Code, string Message, (string, string)? Detail)? error = null;
        lock (world.Sync)
        {
            // Outputs of commands that finished by now are in the bucket: SSM's agent uploads them when the plugin ends.
            world.Commands.Settle(world.Now);
            if (operation == "CreateBucket")
            {
                world.Objects.CreateBucket(bucket);
            }
            else if (operation is "GetObject" or "HeadObject")
            {
                (found, var noBucket) = world.Objects.Get(bucket, key);
                if (found is null)
                {
                    error = noBucket
                        ? (404, "NoSuchBucket", "The specified bucket does not exist", ("BucketName", bucket))
                        : (404, "NoSuchKey", "The specified key does not exist.", ("Key", key));
                }
            }
            else
            {
                error = (405, "MethodNotAllowed", $"The simulator's S3 does not support {method} here.", null);
            }
        }
        if (error is { } e)
        {
            if (method == "HEAD")
            {
                context.Response.StatusCode = e.Status; // a HEAD error has no body
                return;
            }
            await Error(context, e.Status, e.Code, e.Message, requestId, e.Detail);
            return;
        }
        context.Response.StatusCode = 200;
        if (found is null)
        {
            context.Response.Headers.Location = "/" + bucket;
            return;
        }
        context.Response.ContentType = "binary/octet-stream";
        context.Response.ContentLength = found.Content.Length;
        context.Response.Headers.ETag = found.ETag;
        context.Response.Headers.LastModified = found.LastModified.ToString("R", CultureInfo.InvariantCulture);
        context.Response.Headers.AcceptRanges = "bytes";
        if (method == "GET")
        {
            await context.Response.Body.WriteAsync(found.Content, context.RequestAborted);
        }
    }

    private static Task Error(HttpContext context, int status, string code, string message, string requestId, (string Name, string Value)? detail = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        var extra = detail is { } d ? $"<{d.Name}>{SecurityElement.Escape(d.Value)}</{d.Name}>" : "";
        return context.Response.WriteAsync(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message>{extra}<RequestId>{requestId}</RequestId><HostId>{requestId}</HostId></Error>");
    }
}
