package dev.floe.interop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.projectnessie.model.Branch;
import org.projectnessie.model.NessieConfiguration;
import org.projectnessie.model.Reference;

class ConfigTest extends NessieInterop {

  @Test
  void configSaysApiV2() {
    NessieConfiguration config = api.getConfig();
    assertThat(config.getActualApiVersion()).as("actualApiVersion").isEqualTo(2);
    assertThat(config.getMaxSupportedApiVersion()).as("maxSupportedApiVersion").isGreaterThanOrEqualTo(2);
    assertThat(config.getMinSupportedApiVersion()).as("minSupportedApiVersion").isLessThanOrEqualTo(2);
    assertThat(config.getDefaultBranch()).as("defaultBranch").isEqualTo("main");
    assertThat(config.getSpecVersion()).as("specVersion").matches("2\\.[0-9]+\\.[0-9]+");
    assertThat(config.getNoAncestorHash()).as("noAncestorHash").isEqualTo(NO_ANCESTOR_HASH);
    assertThat(config.getRepositoryCreationTimestamp())
        .as("repositoryCreationTimestamp")
        .isNotNull();
    assertThat(config.getOldestPossibleCommitTimestamp())
        .as("oldestPossibleCommitTimestamp")
        .isNotNull();
  }

  @Test
  void defaultBranchIsMain() throws Exception {
    Branch viaDefault = api.getDefaultBranch();
    Reference viaName = api.getReference().refName("main").get();
    assertThat(viaDefault.getName()).isEqualTo("main");
    assertThat(viaName).isInstanceOf(Branch.class);
    assertThat(viaDefault.getHash())
        .as("hash of the default branch")
        .matches("[0-9a-f]{64}")
        .isEqualTo(viaName.getHash());
  }
}
