using System.Text.Json;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Core.Tests.HostReports;

/// <summary>defaultBootKernel and fstab as the host report parser reads them: total, whatever shape the host sent.</summary>
public sealed class HostReportFieldsTests
{
    private static HostReport Parse(string fields) =>
        JsonSerializer.Deserialize<HostReport>($"{{\"schema\":\"{HostReport.SchemaId}\",\"runningKernel\":\"6.1.0-56-amd64\",{fields}}}", HostReportJson.Options)!;

    [Fact]
    public void Well_formed_fields_are_read()
    {
        var report = Parse("""
            "defaultBootKernel":"6.1.0-57-amd64","defaultBootSource":"grub.cfg",
            "fstab":[{"spec":"/dev/xvdf","mountPoint":"/data","nofail":true,"exists":false},{"spec":"UUID=1b","mountPoint":"/","nofail":false,"exists":null}]
            """);
        Assert.Equal(("6.1.0-57-amd64", "grub.cfg"), (report.DefaultBootKernel, report.DefaultBootSource));
        Assert.Equal([new FstabEntry("/dev/xvdf", "/data", true, false), new FstabEntry("UUID=1b", "/", false, null)], report.Fstab);
    }

    [Theory]
    [InlineData("\"defaultBootKernel\":42,\"fstab\":\"/dev/xvda1\"")]
    [InlineData("\"defaultBootKernel\":{\"k\":[1,2]},\"fstab\":{\"spec\":\"/dev/xvdf\"}")]
    [InlineData("\"defaultBootKernel\":[\"6.1.0-57-amd64\"],\"fstab\":17")]
    [InlineData("\"defaultBootKernel\":null,\"fstab\":null")]
    public void Malformed_fields_read_as_null_and_the_rest_of_the_report_stays(string fields)
    {
        var report = Parse(fields);
        Assert.Null(report.DefaultBootKernel);
        Assert.Null(report.Fstab);
        Assert.Equal("6.1.0-56-amd64", report.RunningKernel);
    }

    [Fact]
    public void Malformed_fstab_entries_are_dropped_and_the_well_formed_ones_kept()
    {
        var report = Parse("""
            "fstab":[null,"text",3,{"spec":"/dev/nvme1n1","nofail":"yes"},{"spec":{"x":1}},[],{"spec":"/dev/xvdf","mountPoint":"/data","nofail":false,"exists":true},{}]
            """);
        Assert.Equal([new FstabEntry("/dev/xvdf", "/data", false, true), new FstabEntry(null, null, null, null)], report.Fstab);
    }

    [Fact]
    public void The_readiness_output_reader_judges_a_report_with_malformed_new_fields()
    {
        var (report, problem) = HostReportOutput.Read($"{{\"schema\":\"{HostReport.SchemaId}\",\"defaultBootKernel\":false,\"fstab\":[1],\"kernels\":[]}}");
        Assert.Null(problem);
        Assert.Equal((null, 0), (report!.DefaultBootKernel, report.Fstab!.Count));
    }

    [Fact]
    public void A_written_report_reads_back_the_same()
    {
        var report = new HostReport { DefaultBootKernel = "6.1.0-57-amd64", DefaultBootSource = "grubby", Fstab = [new("/dev/xvdf", "/data", true, true)] };
        var back = JsonSerializer.Deserialize<HostReport>(JsonSerializer.Serialize(report, HostReportJson.Options), HostReportJson.Options)!;
        Assert.Equal((report.DefaultBootKernel, report.DefaultBootSource), (back.DefaultBootKernel, back.DefaultBootSource));
        Assert.Equal(report.Fstab, back.Fstab);
    }
}
