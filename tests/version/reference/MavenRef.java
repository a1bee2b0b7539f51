// Reference for Maven: Maven's own ComparableVersion and VersionRange (libmaven3-core-java).
// Args: compare|range. compare: A<TAB>B -> -1/0/1; range: V<TAB>SPEC -> true/false or E.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import org.apache.maven.artifact.versioning.ComparableVersion;
import org.apache.maven.artifact.versioning.DefaultArtifactVersion;
import org.apache.maven.artifact.versioning.VersionRange;

public class MavenRef {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    StringBuilder out = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null) {
      String[] p = line.split("\t", -1);
      try {
        if (args[0].equals("compare")) {
          int r = new ComparableVersion(p[0]).compareTo(new ComparableVersion(p[1]));
          out.append(Integer.signum(r)).append('\n');
        } else {
          VersionRange range = VersionRange.createFromVersionSpec(p[1]);
          out.append(range.containsVersion(new DefaultArtifactVersion(p[0])) ? "true" : "false").append('\n');
        }
      } catch (Exception e) {
        out.append("E\n");
      }
    }
    System.out.print(out);
  }
}
