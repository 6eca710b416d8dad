package dev.floe.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.projectnessie.client.NessieClientBuilder;
import org.projectnessie.client.api.NessieApiV2;
import org.projectnessie.error.BaseNessieClientServerException;
import org.projectnessie.error.NessieReferenceConflictException;
import org.projectnessie.error.ReferenceConflicts;
import org.projectnessie.model.Branch;
import org.projectnessie.model.CommitMeta;
import org.projectnessie.model.CommitResponse;
import org.projectnessie.model.Conflict;
import org.projectnessie.model.Content;
import org.projectnessie.model.ContentKey;
import org.projectnessie.model.IcebergTable;
import org.projectnessie.model.Namespace;
import org.projectnessie.model.Operation;
import org.projectnessie.model.Reference;

/**
 * Shared set-up for the interop tests: one Nessie API v2 client (the official Java client, built
 * exactly as engines build it) against the server named by {@code NESSIE_URI}, plus small helpers.
 *
 * <p>Every test works on branches of its own (unique names per run), so the tests are independent
 * of each other and of whatever else the server holds; nothing here commits to the default branch
 * except {@code ContentsTest#commitToDefaultBranch}, under a key unique to the run.
 */
abstract class NessieInterop {

  /** Nessie's hash of "no ancestor", the parent of the first commit of every repository. */
  static final String NO_ANCESTOR_HASH =
      "2e1cfa82b035c26cbbbdae632cea070514eb8b773f616aaeaf668e2f0be8f10d";

  static final String RUN =
      "it" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);

  private static final AtomicInteger SEQ = new AtomicInteger();

  static NessieApiV2 api;

  static String nessieUri() {
    String uri = System.getProperty("NESSIE_URI");
    if (uri == null || uri.isBlank()) {
      uri = System.getenv("NESSIE_URI");
    }
    if (uri == null || uri.isBlank()) {
      uri = "http://127.0.0.1:19120/api/v2";
    }
    return uri;
  }

  @BeforeAll
  static void connect() {
    // The way Iceberg's NessieCatalog, Spark and Trino build their client: settings from the
    // system (NESSIE_URI / nessie.uri, ~/.config/nessie, ...), the default HTTP client
    // implementation (java.net.http on Java 11+), API v2 with its compatibility check.
    api =
        NessieClientBuilder.createClientBuilderFromSystemSettings()
            .withUri(nessieUri())
            .build(NessieApiV2.class);
  }

  @AfterAll
  static void disconnect() {
    if (api != null) {
      api.close();
      api = null;
    }
  }

  /** A reference name unique to this run. */
  static String uniqueName(String what) {
    return RUN + "-" + what + "-" + SEQ.incrementAndGet();
  }

  static Branch mainBranch() throws Exception {
    Reference main = api.getReference().refName("main").get();
    assertThat(main).as("reference 'main'").isInstanceOf(Branch.class);
    return (Branch) main;
  }

  /** Creates a branch from the current head of main and checks what the server answers. */
  static Branch newBranch(String what) throws Exception {
    return newBranchFrom(what, mainBranch());
  }

  static Branch newBranchFrom(String what, Branch from) throws Exception {
    String name = uniqueName(what);
    Reference created =
        api.createReference()
            .sourceRefName(from.getName())
            .reference(Branch.of(name, from.getHash()))
            .create();
    assertThat(created).as("createReference(%s) result type", name).isInstanceOf(Branch.class);
    assertThat(created.getName()).as("createReference(%s) name", name).isEqualTo(name);
    assertThat(created.getHash())
        .as("createReference(%s from %s) hash", name, from)
        .isEqualTo(from.getHash());
    return (Branch) created;
  }

  static Reference ref(String name) throws Exception {
    return api.getReference().refName(name).get();
  }

  static String headOf(String name) throws Exception {
    return ref(name).getHash();
  }

  static CommitMeta meta(String message) {
    return CommitMeta.fromMessage(message);
  }

  /** Commits the operations and checks that the branch now points at the returned hash. */
  static CommitResponse commit(Branch branch, String message, Operation... ops) throws Exception {
    CommitResponse response =
        api.commitMultipleOperations()
            .branch(branch)
            .commitMeta(meta(message))
            .operations(Arrays.asList(ops))
            .commitWithResponse();
    Branch target = response.getTargetBranch();
    assertThat(target.getName()).as("commit target branch name").isEqualTo(branch.getName());
    assertThat(target.getHash())
        .as("commit '%s' must produce a new 64-hex-digit hash", message)
        .matches("[0-9a-f]{64}")
        .isNotEqualTo(branch.getHash());
    assertThat(headOf(branch.getName()))
        .as("head of %s after commit '%s'", branch.getName(), message)
        .isEqualTo(target.getHash());
    return response;
  }

  /** The content id the server assigned to a content created by the commit. */
  static String addedId(CommitResponse response, ContentKey key) {
    Map<ContentKey, String> added = response.toAddedContentsMap();
    assertThat(added).as("addedContents of the commit").containsKey(key);
    String id = added.get(key);
    assertThat(id).as("content id of %s", key).isNotBlank();
    // Nessie's content ids are UUIDs; clients (NessieCatalog) treat them as opaque strings.
    assertThat(isUuid(id)).as("content id %s of %s is a UUID", id, key).isTrue();
    return id;
  }

  static boolean isUuid(String s) {
    try {
      return UUID.fromString(s).toString().equalsIgnoreCase(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static IcebergTable table(String name, long snapshotId) {
    return IcebergTable.of(
        "s3://floe-interop/warehouse/" + name + "/metadata/0000" + snapshotId + ".metadata.json",
        snapshotId,
        (int) (snapshotId % 7),
        1,
        2);
  }

  static IcebergTable table(String name, long snapshotId, String contentId) {
    IcebergTable t = table(name, snapshotId);
    return IcebergTable.of(
        t.getMetadataLocation(),
        t.getSnapshotId(),
        t.getSchemaId(),
        t.getSpecId(),
        t.getSortOrderId(),
        contentId);
  }

  static void assertTable(Content actual, IcebergTable expected, String expectedId, String what) {
    assertThat(actual).as("%s: content", what).isNotNull();
    assertThat(actual.getType()).as("%s: content type", what).isEqualTo(Content.Type.ICEBERG_TABLE);
    assertThat(actual).as("%s: content class", what).isInstanceOf(IcebergTable.class);
    IcebergTable t = (IcebergTable) actual;
    assertThat(t.getMetadataLocation())
        .as("%s: metadataLocation", what)
        .isEqualTo(expected.getMetadataLocation());
    assertThat(t.getSnapshotId()).as("%s: snapshotId", what).isEqualTo(expected.getSnapshotId());
    assertThat(t.getSchemaId()).as("%s: schemaId", what).isEqualTo(expected.getSchemaId());
    assertThat(t.getSpecId()).as("%s: specId", what).isEqualTo(expected.getSpecId());
    assertThat(t.getSortOrderId()).as("%s: sortOrderId", what).isEqualTo(expected.getSortOrderId());
    assertThat(t.getId()).as("%s: content id", what).isEqualTo(expectedId);
  }

  static void assertNamespace(Content actual, Namespace expected, String expectedId, String what) {
    assertThat(actual).as("%s: content", what).isNotNull();
    assertThat(actual.getType()).as("%s: content type", what).isEqualTo(Content.Type.NAMESPACE);
    assertThat(actual).as("%s: content class", what).isInstanceOf(Namespace.class);
    Namespace ns = (Namespace) actual;
    assertThat(ns.getElements()).as("%s: namespace elements", what).isEqualTo(expected.getElements());
    assertThat(ns.getProperties())
        .as("%s: namespace properties", what)
        .isEqualTo(expected.getProperties());
    assertThat(ns.getId()).as("%s: content id", what).isEqualTo(expectedId);
  }

  /**
   * The conflicts a {@link NessieReferenceConflictException} carries (sent only to clients that
   * send {@code Nessie-Client-Spec: 2}, as this client does).
   */
  static List<Conflict> conflictsOf(NessieReferenceConflictException e) {
    ReferenceConflicts details = e.getErrorDetails();
    assertThat(details)
        .as("errorDetails (REFERENCE_CONFLICTS) of the 409 response '%s'", e.getMessage())
        .isNotNull();
    return details.conflicts();
  }

  static void assertSingleConflict(
      NessieReferenceConflictException e, ContentKey key, Conflict.ConflictType type) {
    List<Conflict> conflicts = conflictsOf(e);
    assertThat(conflicts)
        .as("conflicts of '%s'", e.getMessage())
        .extracting(Conflict::key, Conflict::conflictType)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(key, type));
    assertThat(conflicts.get(0).message()).as("conflict message").isNotBlank();
  }

  /** Runs the call, which must fail with the given exception type; returns the exception. */
  static <E extends Throwable> E expectThrows(Class<E> type, ThrowingRunnable call, String what) {
    try {
      call.run();
    } catch (Throwable t) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      String extra =
          t instanceof BaseNessieClientServerException b
              ? " (HTTP " + b.getStatus() + ", errorCode " + b.getErrorCode() + ")"
              : "";
      AssertionError err =
          new AssertionError(
              what
                  + ": expected "
                  + type.getSimpleName()
                  + " but got "
                  + t.getClass().getSimpleName()
                  + extra
                  + ": "
                  + t.getMessage(),
              t);
      throw err;
    }
    return fail("%s: expected %s, but the call succeeded", what, type.getSimpleName());
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  static <T, K> Map<K, T> byKey(List<T> list, Function<T, K> key) {
    return list.stream().collect(Collectors.toMap(key, x -> x, (a, b) -> a));
  }

  static <T> List<T> listOf(Iterable<T> it) {
    List<T> out = new ArrayList<>();
    it.forEach(out::add);
    return out;
  }
}
