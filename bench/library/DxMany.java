// Runs AOSP dx (com.android.dx.command.dexer) once per line of standard input, in one JVM:
// each line is the tab-separated dx arguments of one translation. Prints "DONE<TAB>rc" after
// each. Used by dex_builds.py (a JVM start per build costs more than the translation).
import com.android.dx.command.dexer.DxContext;
import com.android.dx.command.dexer.Main;
import java.io.BufferedReader;
import java.io.InputStreamReader;

public class DxMany {
    public static void main(String[] unused) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            int rc;
            try {
                DxContext ctx = new DxContext();
                Main.Arguments args = new Main.Arguments(ctx);
                java.util.List<String> flags = new java.util.ArrayList<>();
                java.util.List<String> files = new java.util.ArrayList<>();
                for (String a : line.split("\t")) {
                    (a.startsWith("--") ? flags : files).add(a);
                }
                args.parseFlags(flags.toArray(new String[0]));
                args.fileNames = files.toArray(new String[0]);
                args.makeOptionsObjects();
                rc = new Main(ctx).runDx(args);
            } catch (Throwable t) {
                System.err.println(t);
                rc = 99;
            }
            Main.clearInternTables();
            System.out.println("DONE\t" + rc);
            System.out.flush();
        }
    }
}
