package io.floorflash.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.floorflash.config.Overrides;
import io.floorflash.config.Settings;
import io.floorflash.config.SettingsLoader;
import io.floorflash.config.TransferPortMode;
import io.floorflash.server.http.HttpRoutes;
import io.floorflash.server.http.SideRoutes;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes manifests in {@code packaging/kubernetes/} agree with the server and with the image Jib builds: their
 * structure (no cluster here to apply them to), the HOCON of their ConfigMap as each workload's environment resolves
 * it, the probe paths as operator-side routes, the ports and volumes the configuration names.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of("..", "packaging", "kubernetes");
    private static final Pattern JIB_IMAGE = Pattern.compile(
            "<artifactId>jib-maven-plugin</artifactId>.*?<to>\\s*<image>([^<]+)</image>", Pattern.DOTALL);
    private static final Pattern PROJECT_VERSION = Pattern.compile(
            "<artifactId>floorflash-parent</artifactId>\\s*<version>([^<]+)</version>");

    @Test
    void shipsTheObjectsTheReadmeApplies() throws IOException {
        List<String> kinds = new ArrayList<>();
        for (Map<String, Object> object : objects()) {
            kinds.add(object.get("kind") + "/" + map(object.get("metadata")).get("name"));
            if (!object.get("kind").equals("Namespace")) {
                assertThat(map(object.get("metadata")).get("namespace")).as("%s", kinds).isEqualTo("floorflash");
            }
        }

        assertThat(kinds).containsExactlyInAnyOrder("Namespace/floorflash", "Secret/floorflash-http-token",
                "Secret/floorflash-origin", "ConfigMap/floorflash-config", "DaemonSet/floorflash",
                "Deployment/floorflash-single-port", "Service/floorflash-tftp", "Service/floorflash-operator");
    }

    @Test
    void theConfigMapLoadsAsTheConfigFileWithoutAnyOfItsVariables(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("floorflash.conf");
        Files.writeString(file, (String) map(find("ConfigMap", "floorflash-config").get("data")).get("floorflash.conf"));

        Settings settings = SettingsLoader.load(file, Overrides.none());

        assertThat(settings.tftp().port()).isEqualTo(69);
        assertThat(settings.transfer().ports()).isEqualTo(TransferPortMode.SHARED);
        assertThat(settings.http().firmware().enabled()).isTrue();
    }

    @Test
    void theDaemonSetServesTheSharedPortModeOnTheHostsNetworkAsANonRootUser() throws IOException {
        Map<String, Object> pod = podSpec("DaemonSet", "floorflash");
        Map<String, Object> container = container(pod);
        Settings settings = settings(container, Map.of("FLOORFLASH_HTTP_ADDRESS", "10.0.0.5"));

        assertThat(pod.get("hostNetwork")).isEqualTo(true);
        assertThat(settings.transfer().ports()).isEqualTo(TransferPortMode.SHARED);
        assertThat(settings.http().address()).isEqualTo(InetAddress.getByName("10.0.0.5"));
        Map<String, Object> tftp = port(container, "tftp");
        assertThat(tftp).containsEntry("protocol", "UDP").containsEntry("containerPort", settings.tftp().port())
                .containsEntry("hostPort", 69);
        assertThat(list(map(map(container.get("securityContext")).get("capabilities")).get("add")))
                .containsExactly("NET_BIND_SERVICE");
        assertWorkload(pod, container, settings);
    }

    @Test
    void theDeploymentServesTheSinglePortModeBehindAServiceOnUdp69() throws IOException {
        Map<String, Object> pod = podSpec("Deployment", "floorflash-single-port");
        Map<String, Object> container = container(pod);
        Settings settings = settings(container, Map.of());

        assertThat(pod).doesNotContainKey("hostNetwork");
        assertThat(settings.transfer().ports()).isEqualTo(TransferPortMode.SINGLE);
        assertThat(port(container, "tftp")).containsEntry("protocol", "UDP")
                .containsEntry("containerPort", settings.tftp().port());
        assertThat(map(container.get("securityContext")).get("capabilities")).isEqualTo(Map.of("drop", List.of("ALL")));
        Map<String, Object> service = spec("Service", "floorflash-tftp");
        assertThat(map(service.get("selector"))).isEqualTo(map(map(map(spec("Deployment", "floorflash-single-port")
                .get("template")).get("metadata")).get("labels")));
        assertThat(service.get("externalTrafficPolicy")).as("the phones' own addresses").isEqualTo("Local");
        Map<String, Map<String, Object>> ports = new HashMap<>();
        for (Object p : list(service.get("ports"))) {
            ports.put((String) map(p).get("name"), map(p));
        }
        assertThat(ports.get("tftp")).containsEntry("port", 69).containsEntry("protocol", "UDP")
                .containsEntry("targetPort", "tftp");
        assertThat(ports.get("firmware-http")).containsEntry("port", 80).containsEntry("protocol", "TCP");
        assertThat(port(container, "firmware-http")).containsEntry("containerPort", settings.http().firmware().port());
        assertWorkload(pod, container, settings);
    }

    @Test
    void everyWorkloadRunsTheImageJibBuilds() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher image = JIB_IMAGE.matcher(pom);
        Matcher version = PROJECT_VERSION.matcher(pom);
        assertThat(image.find() && version.find()).as("Jib's <to><image> and the project version in server/pom.xml")
                .isTrue();
        String expected = image.group(1).replace("${project.version}", version.group(1));

        for (String[] workload : new String[][] {{"DaemonSet", "floorflash"}, {"Deployment", "floorflash-single-port"}}) {
            assertThat(container(podSpec(workload[0], workload[1])).get("image")).as(workload[0]).isEqualTo(expected);
        }
    }

    /** What both workloads share: probes on real routes, the config and volumes where the configuration expects them. */
    private static void assertWorkload(Map<String, Object> pod, Map<String, Object> container, Settings settings) {
        HttpRoutes operator = SideRoutes.operator(null, "test", null, () -> true, null);
        Map<String, Object> ready = map(map(container.get("readinessProbe")).get("httpGet"));
        Map<String, Object> live = map(map(container.get("livenessProbe")).get("httpGet"));
        assertThat(ready.get("path")).isEqualTo("/readyz");
        assertThat(live.get("path")).isEqualTo("/healthz");
        for (Map<String, Object> probe : List.of(ready, live)) {
            assertThat(operator.find((String) probe.get("path"))).as("route %s", probe.get("path")).isNotNull();
            assertThat(port(container, (String) probe.get("port"))).containsEntry("protocol", "TCP")
                    .containsEntry("containerPort", settings.http().port());
        }
        assertThat(settings.reload().watchConfig()).as("a changed ConfigMap is reloaded").isTrue();

        Map<String, Object> podSecurity = map(pod.get("securityContext"));
        assertThat(podSecurity).containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 65532);
        assertThat(map(container.get("securityContext"))).containsEntry("allowPrivilegeEscalation", false)
                .containsEntry("readOnlyRootFilesystem", true);
        assertThat(map(map(container.get("resources")).get("limits"))).containsKey("memory");

        Map<String, String> mounts = new HashMap<>();
        Map<String, Boolean> readOnly = new HashMap<>();
        for (Object m : list(container.get("volumeMounts"))) {
            mounts.put((String) map(m).get("mountPath"), (String) map(m).get("name"));
            readOnly.put((String) map(m).get("mountPath"), Boolean.TRUE.equals(map(m).get("readOnly")));
        }
        Map<String, Map<String, Object>> volumes = new HashMap<>();
        for (Object v : list(pod.get("volumes"))) {
            volumes.put((String) map(v).get("name"), map(v));
        }
        assertThat(volumes).containsKeys(mounts.values().toArray(String[]::new));
        List<String> args = strings(container.get("args"));
        Path configFile = Path.of(args.get(args.indexOf("--config") + 1));
        String configVolume = mounts.get(configFile.getParent().toString());
        assertThat(map(volumes.get(configVolume).get("configMap")).get("name")).as("mounted as a folder, no subPath")
                .isEqualTo("floorflash-config");
        Path token = settings.http().tokenFile().orElseThrow();
        Map<String, Object> secret = map(volumes.get(mounts.get(token.getParent().toString())).get("secret"));
        assertThat(secret.get("secretName")).isEqualTo("floorflash-http-token");
        assertThat((Integer) secret.get("defaultMode") & 07).as("others may not read the token").isZero();
        assertThat(mounts.get(settings.firmware().root().toString())).isNotNull();
        assertThat(readOnly.get(settings.audit().file().getParent().toString())).as("the audit log's folder, writable")
                .isFalse();
        assertThat(readOnly.get("/tmp")).as("Netty unpacks its native transport to /tmp").isFalse();

        List<String> secretEnv = new ArrayList<>();
        for (Object e : list(container.get("env"))) {
            Object from = map(e).get("valueFrom");
            if (from != null && map(from).containsKey("secretKeyRef")) {
                assertThat(map(map(from).get("secretKeyRef")).get("name")).isEqualTo("floorflash-origin");
                secretEnv.add((String) map(e).get("name"));
            }
        }
        assertThat(secretEnv).containsExactlyInAnyOrder("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    }

    /**
     * The ConfigMap's HOCON as {@code container} sees it: its literal environment, {@code fromFields} for values the
     * kubelet fills in, over the reference defaults; loaded by {@link SettingsLoader}, which throws on any problem.
     */
    private static Settings settings(Map<String, Object> container, Map<String, String> fromFields) throws IOException {
        Map<String, Object> env = new HashMap<>(fromFields);
        for (Object e : list(container.get("env"))) {
            if (map(e).containsKey("value")) {
                env.put((String) map(e).get("name"), map(e).get("value"));
            }
        }
        String hocon = (String) map(find("ConfigMap", "floorflash-config").get("data")).get("floorflash.conf");
        // As the process's environment is: a fallback that ${?VAR} substitutions reach at the root.
        Config config = ConfigFactory.parseString(hocon)
                .withFallback(ConfigFactory.defaultReference(SettingsLoader.class.getClassLoader()))
                .withFallback(ConfigFactory.parseMap(env)).resolve();
        return SettingsLoader.load(config);
    }

    private static Map<String, Object> port(Map<String, Object> container, String name) {
        for (Object p : list(container.get("ports"))) {
            if (name.equals(map(p).get("name"))) {
                return map(p);
            }
        }
        throw new AssertionError("no container port named " + name);
    }

    private static Map<String, Object> container(Map<String, Object> pod) {
        List<Object> containers = list(pod.get("containers"));
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    private static Map<String, Object> podSpec(String kind, String name) throws IOException {
        return map(map(map(spec(kind, name).get("template"))).get("spec"));
    }

    private static Map<String, Object> spec(String kind, String name) throws IOException {
        return map(find(kind, name).get("spec"));
    }

    private static Map<String, Object> find(String kind, String name) throws IOException {
        for (Map<String, Object> object : objects()) {
            if (kind.equals(object.get("kind")) && name.equals(map(object.get("metadata")).get("name"))) {
                return object;
            }
        }
        throw new AssertionError("no " + kind + "/" + name);
    }

    private static List<Map<String, Object>> objects() throws IOException {
        List<Map<String, Object>> objects = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(DIR)) {
            files = listing.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path file : files) {
            try (Reader in = Files.newBufferedReader(file)) {
                for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
                    Map<String, Object> object = map(document);
                    assertThat(object).as(file.toString()).containsKeys("apiVersion", "kind", "metadata");
                    objects.add(object);
                }
            }
        }
        return objects;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        for (Object item : list(o)) {
            out.add((String) item);
        }
        return out;
    }
}
