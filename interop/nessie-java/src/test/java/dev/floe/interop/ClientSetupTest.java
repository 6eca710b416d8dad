package dev.floe.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.projectnessie.client.NessieClientBuilder;
import org.projectnessie.client.api.NessieApiV2;

/**
 * Checks, without a server, that the client is set up the way engines set it up: the HTTP client
 * builder found through the service loader, with the JDK's own HTTP clients available (no extra
 * dependencies on Java 17). scripts/java-deps.sh runs this test alone to resolve every Maven
 * dependency, Surefire's JUnit provider included, before the real runs go offline.
 */
class ClientSetupTest {

  @Test
  void defaultClientBuilderIsHttpWithJdkClients() {
    NessieClientBuilder builder = NessieClientBuilder.createClientBuilderFromSystemSettings();
    assertThat(builder.name()).as("default Nessie client builder").isEqualTo("HTTP");
    // java.net.http ("JavaHttp", preferred on Java 11+) and HttpURLConnection ("URLConnection")
    assertThat(builder.names()).as("client names").contains("HTTP", "javahttp", "urlconnection");

    // building does not contact the server: the API-version check runs on the first request
    try (NessieApiV2 api =
        builder.withUri(URI.create("http://127.0.0.1:9/api/v2")).build(NessieApiV2.class)) {
      assertThat(api).isNotNull();
    }
  }
}
