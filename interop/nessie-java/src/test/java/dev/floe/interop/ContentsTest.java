package dev.floe.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.projectnessie.error.ErrorCode;
import org.projectnessie.error.NessieBadRequestException;
import org.projectnessie.error.NessieContentNotFoundException;
import org.projectnessie.model.Branch;
import org.projectnessie.model.CommitResponse;
import org.projectnessie.model.Content;
import org.projectnessie.model.ContentKey;
import org.projectnessie.model.ContentResponse;
import org.projectnessie.model.EntriesResponse;
import org.projectnessie.model.EntriesResponse.Entry;
import org.projectnessie.model.GetMultipleContentsResponse;
import org.projectnessie.model.IcebergTable;
import org.projectnessie.model.Namespace;
import org.projectnessie.model.Operation.Delete;
import org.projectnessie.model.Operation.Put;

class ContentsTest extends NessieInterop {

  static final ContentKey NS = ContentKey.of("db");
  static final ContentKey T1 = ContentKey.of("db", "orders");
  static final ContentKey T2 = ContentKey.of("db", "customers");

  /** A branch with namespace db and tables db.orders, db.customers; returns its ids. */
  record Fixture(Branch branch, String nsId, String t1Id, String t2Id, Branch afterNs) {}

  static Fixture fixture(String what) throws Exception {
    Branch b = newBranch(what);
    CommitResponse c1 = commit(b, "create namespace db", Put.of(NS, Namespace.of(NS)));
    String nsId = addedId(c1, NS);
    assertThat(c1.getAddedContents()).as("addedContents of the namespace commit").hasSize(1);

    CommitResponse c2 =
        commit(
            c1.getTargetBranch(),
            "create tables",
            Put.of(T1, table("orders", 1)),
            Put.of(T2, table("customers", 1)));
    String t1Id = addedId(c2, T1);
    String t2Id = addedId(c2, T2);
    assertThat(c2.getAddedContents()).as("addedContents of the table commit").hasSize(2);
    assertThat(t1Id).as("distinct content ids").isNotEqualTo(t2Id).isNotEqualTo(nsId);
    return new Fixture(c2.getTargetBranch(), nsId, t1Id, t2Id, c1.getTargetBranch());
  }

  @Test
  void commitNamespaceAndTablesThenRead() throws Exception {
    Fixture f = fixture("contents");
    Branch b = f.branch();

    Map<ContentKey, Content> contents =
        api.getContent().refName(b.getName()).key(NS).key(T1).key(T2).key(ContentKey.of("db", "nope")).get();
    assertThat(contents).as("getContent(db, db.orders, db.customers, db.nope)").containsOnlyKeys(NS, T1, T2);
    assertNamespace(contents.get(NS), Namespace.of(NS), f.nsId(), "db");
    assertTable(contents.get(T1), table("orders", 1), f.t1Id(), "db.orders");
    assertTable(contents.get(T2), table("customers", 1), f.t2Id(), "db.customers");

    GetMultipleContentsResponse withRef = api.getContent().refName(b.getName()).key(T1).getWithResponse();
    assertThat(withRef.getEffectiveReference()).as("effectiveReference of getContent").isInstanceOf(Branch.class);
    assertThat(withRef.getEffectiveReference().getName()).isEqualTo(b.getName());
    assertThat(withRef.getEffectiveReference().getHash()).isEqualTo(b.getHash());

    ContentResponse single = api.getContent().refName(b.getName()).getSingle(T1);
    assertTable(single.getContent(), table("orders", 1), f.t1Id(), "getSingle(db.orders)");
    assertThat(single.getEffectiveReference().getHash()).as("getSingle effective hash").isEqualTo(b.getHash());

    // by commit hash on the branch (time travel): before the tables existed
    assertThat(api.getContent().refName(b.getName()).hashOnRef(f.afterNs().getHash()).key(T1).key(NS).get())
        .as("contents at the commit before the tables")
        .containsOnlyKeys(NS);

    NessieContentNotFoundException nf =
        expectThrows(
            NessieContentNotFoundException.class,
            () -> api.getContent().refName(b.getName()).getSingle(ContentKey.of("db", "nope")),
            "getSingle of a missing key");
    assertThat(nf.getErrorCode()).isEqualTo(ErrorCode.CONTENT_NOT_FOUND);
    assertThat(nf.getStatus()).isEqualTo(404);
  }

  @Test
  void updateKeepsContentId() throws Exception {
    Fixture f = fixture("update");
    IcebergTable v2 = table("orders", 2, f.t1Id());
    CommitResponse c = commit(f.branch(), "update orders", Put.of(T1, v2));
    assertThat(c.getAddedContents()).as("addedContents of an update (no new content)").isEmpty();
    Branch b = c.getTargetBranch();

    assertTable(api.getContent().refName(b.getName()).getSingle(T1).getContent(), v2, f.t1Id(), "orders after update");
    // the old value is still there at the previous commit
    assertTable(
        api.getContent().refName(b.getName()).hashOnRef(f.branch().getHash()).getSingle(T1).getContent(),
        table("orders", 1),
        f.t1Id(),
        "orders before the update, read by hash");
    // and through a relative commit spec: one commit back from the head
    assertTable(
        api.getContent().refName(b.getName()).hashOnRef(b.getHash() + "~1").getSingle(T1).getContent(),
        table("orders", 1),
        f.t1Id(),
        "orders at head~1");

    // the other table is untouched
    assertTable(api.getContent().refName(b.getName()).getSingle(T2).getContent(), table("customers", 1), f.t2Id(), "customers");
  }

  @Test
  void putWithoutContentIdOnExistingKeyIsRejected() throws Exception {
    Fixture f = fixture("noid");
    // Nessie: "New value to update existing key 'db.orders' has no content ID" (400)
    expectThrows(
        NessieBadRequestException.class,
        () -> commit(f.branch(), "update without id", Put.of(T1, table("orders", 3))),
        "Put without content id on an existing key");
    // Nessie: "Key 'db.orders' already exists with content ID ..., which is different from ..." (400)
    expectThrows(
        NessieBadRequestException.class,
        () -> commit(f.branch(), "update with the wrong id", Put.of(T1, table("orders", 3, f.t2Id()))),
        "Put with another content's id on an existing key");
    // Nessie: "New value for key 'db.fresh' must not have a content ID" (400)
    expectThrows(
        NessieBadRequestException.class,
        () ->
            commit(
                f.branch(),
                "new key with an id",
                Put.of(ContentKey.of("db", "fresh"), table("fresh", 1, "8b2f0b0e-4a8e-4d54-9b8a-2f5d0c1e9f00"))),
        "Put of a new key with a made-up content id");
    assertThat(headOf(f.branch().getName())).as("branch unchanged by rejected commits").isEqualTo(f.branch().getHash());
  }

  @Test
  void renameKeepsContentId() throws Exception {
    Fixture f = fixture("rename");
    ContentKey renamed = ContentKey.of("db", "orders_v2");
    IcebergTable sameTable = table("orders", 1, f.t1Id());
    CommitResponse c = commit(f.branch(), "rename orders", Delete.of(T1), Put.of(renamed, sameTable));
    assertThat(c.getAddedContents()).as("addedContents of a rename").isEmpty();
    Branch b = c.getTargetBranch();

    Map<ContentKey, Content> contents = api.getContent().refName(b.getName()).key(T1).key(renamed).get();
    assertThat(contents).as("contents after the rename").containsOnlyKeys(renamed);
    assertTable(contents.get(renamed), table("orders", 1), f.t1Id(), "renamed table");
    expectThrows(
        NessieContentNotFoundException.class,
        () -> api.getContent().refName(b.getName()).getSingle(T1),
        "getSingle of the old name after a rename");

    List<Entry> entries = api.getEntries().refName(b.getName()).get().getEntries();
    assertThat(entries).extracting(Entry::getName).containsExactlyInAnyOrder(NS, T2, renamed);
    assertThat(byKey(entries, Entry::getName).get(renamed).getContentId()).isEqualTo(f.t1Id());

    // a new table may take the old name: it gets a new id
    CommitResponse again = commit(b, "re-create orders", Put.of(T1, table("orders", 5)));
    String newId = addedId(again, T1);
    assertThat(newId).as("id of a new table under a reused name").isNotEqualTo(f.t1Id());
  }

  @Test
  void dropAndRecreateInOneCommit() throws Exception {
    Fixture f = fixture("readd");
    // Delete + Put without id on the same key: a new table replaces the old one
    CommitResponse c = commit(f.branch(), "replace orders", Delete.of(T1), Put.of(T1, table("orders", 9)));
    String newId = addedId(c, T1);
    assertThat(newId).isNotEqualTo(f.t1Id());
    assertTable(
        api.getContent().refName(c.getTargetBranch().getName()).getSingle(T1).getContent(),
        table("orders", 9),
        newId,
        "replaced table");
  }

  @Test
  void entriesWithAndWithoutContentAndFilters() throws Exception {
    Fixture f = fixture("entries");
    ContentKey sub = ContentKey.of("db", "sub");
    ContentKey t3 = ContentKey.of("db", "sub", "events");
    ContentKey other = ContentKey.of("other");
    CommitResponse c =
        commit(
            f.branch(),
            "more",
            Put.of(sub, Namespace.of(sub)),
            Put.of(t3, table("events", 1)),
            Put.of(other, Namespace.of(other)));
    Branch b = c.getTargetBranch();
    String subId = addedId(c, sub);
    String t3Id = addedId(c, t3);
    String otherId = addedId(c, other);

    EntriesResponse plain = api.getEntries().refName(b.getName()).get();
    assertThat(plain.getEffectiveReference()).as("entries effectiveReference").isNotNull();
    assertThat(plain.getEffectiveReference().getHash()).isEqualTo(b.getHash());
    Map<ContentKey, Entry> byName = byKey(plain.getEntries(), Entry::getName);
    assertThat(byName).as("entries").containsOnlyKeys(NS, T1, T2, sub, t3, other);
    assertThat(byName.get(NS).getType()).isEqualTo(Content.Type.NAMESPACE);
    assertThat(byName.get(T1).getType()).isEqualTo(Content.Type.ICEBERG_TABLE);
    assertThat(byName.get(t3).getType()).isEqualTo(Content.Type.ICEBERG_TABLE);
    assertThat(byName.get(NS).getContentId()).isEqualTo(f.nsId());
    assertThat(byName.get(T1).getContentId()).isEqualTo(f.t1Id());
    assertThat(byName.get(T2).getContentId()).isEqualTo(f.t2Id());
    assertThat(byName.get(sub).getContentId()).isEqualTo(subId);
    assertThat(byName.get(t3).getContentId()).isEqualTo(t3Id);
    assertThat(byName.get(other).getContentId()).isEqualTo(otherId);
    assertThat(plain.getEntries()).as("entries without content carry no content").allSatisfy(e -> assertThat(e.getContent()).isNull());

    EntriesResponse full = api.getEntries().refName(b.getName()).withContent(true).get();
    Map<ContentKey, Entry> fullByName = byKey(full.getEntries(), Entry::getName);
    assertThat(fullByName).containsOnlyKeys(NS, T1, T2, sub, t3, other);
    assertTable(fullByName.get(T1).getContent(), table("orders", 1), f.t1Id(), "entry db.orders with content");
    assertTable(fullByName.get(t3).getContent(), table("events", 1), t3Id, "entry db.sub.events with content");
    assertNamespace(fullByName.get(sub).getContent(), Namespace.of(sub), subId, "entry db.sub with content");

    assertThat(keys(api.getEntries().refName(b.getName()).filter("entry.contentType == 'ICEBERG_TABLE'").get()))
        .as("entries filtered by contentType == ICEBERG_TABLE")
        .containsExactlyInAnyOrder(T1, T2, t3);
    assertThat(keys(api.getEntries().refName(b.getName()).filter("entry.contentType in ['NAMESPACE']").get()))
        .as("entries filtered by contentType in [NAMESPACE]")
        .containsExactlyInAnyOrder(NS, sub, other);
    assertThat(keys(api.getEntries().refName(b.getName()).filter("entry.namespace == 'db.sub'").get()))
        .as("entries filtered by namespace == 'db.sub'")
        .containsExactlyInAnyOrder(t3);
    assertThat(keys(api.getEntries().refName(b.getName()).filter("entry.encodedKey.startsWith('db.sub')").get()))
        .as("entries filtered by encodedKey.startsWith('db.sub')")
        .containsExactlyInAnyOrder(sub, t3);
    assertThat(keys(api.getEntries().refName(b.getName()).filter("size(entry.keyElements) == 1").get()))
        .as("entries filtered by size(entry.keyElements) == 1")
        .containsExactlyInAnyOrder(NS, other);

    assertThat(keys(api.getEntries().refName(b.getName()).prefixKey(ContentKey.of("db", "sub")).get()))
        .as("entries with prefixKey db.sub")
        .containsExactlyInAnyOrder(sub, t3);
    assertThat(keys(api.getEntries().refName(b.getName()).key(T2).key(other).get()))
        .as("entries for requested keys")
        .containsExactlyInAnyOrder(T2, other);

    // paging: one entry per page, followed by the client
    List<ContentKey> paged =
        api.getEntries().refName(b.getName()).maxRecords(1).stream().map(Entry::getName).collect(Collectors.toList());
    assertThat(paged).as("entries, paged one by one").containsExactlyInAnyOrder(NS, T1, T2, sub, t3, other);
    EntriesResponse firstPage = api.getEntries().refName(b.getName()).maxRecords(2).get();
    assertThat(firstPage.getEntries()).as("first page of 2").hasSizeLessThanOrEqualTo(2);
    if (firstPage.getEntries().size() == 2) {
      assertThat(firstPage.isHasMore()).as("hasMore on the first page of 2 out of 6").isTrue();
      assertThat(firstPage.getToken()).as("page token").isNotBlank();
    }

    // entries as of an older commit
    assertThat(keys(api.getEntries().refName(b.getName()).hashOnRef(f.afterNs().getHash()).get()))
        .as("entries at the first commit")
        .containsExactly(NS);
  }

  @Test
  void keysWithDotsAndSpecialCharacters() throws Exception {
    Branch b = newBranch("keys");
    ContentKey ns = ContentKey.of("a.b");
    ContentKey t = ContentKey.of("a.b", "t.1-x_y z");
    CommitResponse c1 = commit(b, "dotted namespace", Put.of(ns, Namespace.of(ns)));
    CommitResponse c2 = commit(c1.getTargetBranch(), "dotted table", Put.of(t, table("dotted", 1)));
    String id = addedId(c2, t);
    Branch head = c2.getTargetBranch();

    assertTable(api.getContent().refName(head.getName()).getSingle(t).getContent(), table("dotted", 1), id, "getSingle(\"a.b\".\"t.1-x_y z\")");
    assertThat(api.getContent().refName(head.getName()).key(t).get()).containsOnlyKeys(t);
    assertThat(keys(api.getEntries().refName(head.getName()).get())).containsExactlyInAnyOrder(ns, t);
    assertThat(keys(api.getEntries().refName(head.getName()).key(t).get())).containsExactly(t);
    assertThat(api.getEntries().refName(head.getName()).get().getEntries())
        .extracting(e -> e.getName().getElements())
        .contains(List.of("a.b", "t.1-x_y z"));
  }

  @Test
  void commitToDefaultBranch() throws Exception {
    Branch main = mainBranch();
    ContentKey key = ContentKey.of(RUN + "_ns");
    CommitResponse c = commit(main, "namespace on main", Put.of(key, Namespace.of(key)));
    String id = addedId(c, key);
    assertThat(api.getDefaultBranch().getHash()).isEqualTo(c.getTargetBranch().getHash());
    assertNamespace(api.getContent().refName("main").getSingle(key).getContent(), Namespace.of(key), id, "namespace on main");
    // leave main as it was, content-wise
    commit(c.getTargetBranch(), "drop namespace on main", Delete.of(key));
    assertThat(api.getContent().refName("main").key(key).get()).isEmpty();
  }

  static List<ContentKey> keys(EntriesResponse r) {
    return r.getEntries().stream().map(Entry::getName).collect(Collectors.toList());
  }
}
