package dev.floe.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.projectnessie.model.Branch;
import org.projectnessie.model.CommitMeta;
import org.projectnessie.model.CommitResponse;
import org.projectnessie.model.ContentKey;
import org.projectnessie.model.FetchOption;
import org.projectnessie.model.LogResponse;
import org.projectnessie.model.LogResponse.LogEntry;
import org.projectnessie.model.Namespace;
import org.projectnessie.model.Operation;
import org.projectnessie.model.Operation.Delete;
import org.projectnessie.model.Operation.Put;

class CommitLogTest extends NessieInterop {

  @Test
  void commitLogWithOperationsAndMetadata() throws Exception {
    Instant before = Instant.now().minusSeconds(300);
    Branch b = newBranch("log");
    String forkHash = b.getHash();
    ContentKey ns = ContentKey.of("logdb");
    ContentKey t = ContentKey.of("logdb", "t");
    ContentKey t2 = ContentKey.of("logdb", "t_renamed");

    CommitResponse c1 =
        api.commitMultipleOperations()
            .branch(b)
            .commitMeta(
                CommitMeta.builder()
                    .message("first: namespace")
                    .author("Alice <alice@example.com>")
                    .putProperties("floe.interop", "yes")
                    .build())
            .operation(Put.of(ns, Namespace.of(ns)))
            .commitWithResponse();
    String nsId = addedId(c1, ns);
    CommitResponse c2 = commit(c1.getTargetBranch(), "second: table", Put.of(t, table("t", 1)));
    String tId = addedId(c2, t);
    CommitResponse c3 = commit(c2.getTargetBranch(), "third: update", Put.of(t, table("t", 2, tId)));
    CommitResponse c4 =
        commit(c3.getTargetBranch(), "fourth: rename", Delete.of(t), Put.of(t2, table("t", 2, tId)));
    String h1 = c1.getTargetBranch().getHash();
    String h2 = c2.getTargetBranch().getHash();
    String h3 = c3.getTargetBranch().getHash();
    String h4 = c4.getTargetBranch().getHash();

    // minimal log: newest first, hashes, parents, messages
    List<LogEntry> log = api.getCommitLog().refName(b.getName()).untilHash(h1).get().getLogEntries();
    assertThat(log).extracting(e -> e.getCommitMeta().getHash()).as("log hashes until the first commit").containsExactly(h4, h3, h2, h1);
    assertThat(log)
        .extracting(e -> e.getCommitMeta().getMessage())
        .containsExactly("fourth: rename", "third: update", "second: table", "first: namespace");
    assertThat(log).extracting(LogEntry::getParentCommitHash).as("parentCommitHash").containsExactly(h3, h2, h1, forkHash);
    assertThat(log.get(0).getCommitMeta().getParentCommitHashes()).as("parentCommitHashes of a plain commit").containsExactly(h3);

    LogEntry first = log.get(3);
    CommitMeta m = first.getCommitMeta();
    assertThat(m.getAllAuthors()).as("authors").containsExactly("Alice <alice@example.com>");
    assertThat(m.getProperties()).as("properties").containsEntry("floe.interop", "yes");
    assertThat(m.getCommitTime()).as("commitTime").isNotNull().isAfter(before).isBefore(Instant.now().plusSeconds(300));
    assertThat(m.getAuthorTime()).as("authorTime").isNotNull();

    // full log: operations of each commit, with content and content ids
    List<LogEntry> full =
        api.getCommitLog().refName(b.getName()).fetch(FetchOption.ALL).untilHash(h1).get().getLogEntries();
    assertThat(full).hasSize(4);
    assertThat(full.get(3).getOperations()).as("operations of commit 1").hasSize(1);
    Operation op1 = full.get(3).getOperations().get(0);
    assertThat(op1).isInstanceOf(Put.class);
    assertThat(op1.getKey()).isEqualTo(ns);
    assertNamespace(((Put) op1).getContent(), Namespace.of(ns), nsId, "log: commit 1 Put");

    List<Operation> ops3 = full.get(1).getOperations();
    assertThat(ops3).as("operations of commit 3").hasSize(1);
    assertThat(ops3.get(0).getKey()).isEqualTo(t);
    assertTable(((Put) ops3.get(0)).getContent(), table("t", 2), tId, "log: commit 3 Put");

    List<Operation> ops4 = full.get(0).getOperations();
    assertThat(ops4).as("operations of the rename commit").hasSize(2);
    assertThat(ops4.stream().filter(o -> o instanceof Delete).map(Operation::getKey).collect(Collectors.toList()))
        .as("Delete ops of the rename")
        .containsExactly(t);
    List<Put> puts4 = ops4.stream().filter(o -> o instanceof Put).map(o -> (Put) o).collect(Collectors.toList());
    assertThat(puts4).extracting(Operation::getKey).as("Put ops of the rename").containsExactly(t2);
    assertTable(puts4.get(0).getContent(), table("t", 2), tId, "log: rename Put");

    // the whole log reaches back to the fork point and then continues with main's history
    List<String> whole =
        api.getCommitLog().refName(b.getName()).stream().map(e -> e.getCommitMeta().getHash()).collect(Collectors.toList());
    assertThat(whole.subList(0, 4)).containsExactly(h4, h3, h2, h1);
    if (!forkHash.equals(NO_ANCESTOR_HASH)) {
      assertThat(whole).as("log continues with the fork point").contains(forkHash);
    } else {
      assertThat(whole).hasSize(4);
    }

    // a log as of an older commit
    assertThat(api.getCommitLog().refName(b.getName()).hashOnRef(h2).untilHash(h1).get().getLogEntries())
        .extracting(e -> e.getCommitMeta().getHash())
        .containsExactly(h2, h1);

    // paging, one entry per page
    List<String> paged =
        api.getCommitLog().refName(b.getName()).maxRecords(1).stream().limit(4).map(e -> e.getCommitMeta().getHash()).collect(Collectors.toList());
    assertThat(paged).as("log paged one by one").containsExactly(h4, h3, h2, h1);
    LogResponse page = api.getCommitLog().refName(b.getName()).maxRecords(2).get();
    assertThat(page.getLogEntries()).hasSizeLessThanOrEqualTo(2);
    if (page.getLogEntries().size() == 2) {
      assertThat(page.isHasMore()).as("hasMore on a log page of 2 of 4").isTrue();
      assertThat(page.getToken()).isNotBlank();
    }

    // CEL filter on commit metadata
    assertThat(api.getCommitLog().refName(b.getName()).filter("commit.message == 'third: update'").get().getLogEntries())
        .extracting(e -> e.getCommitMeta().getHash())
        .as("log filtered by commit.message")
        .containsExactly(h3);
    assertThat(api.getCommitLog().refName(b.getName()).filter("commit.author == 'Alice <alice@example.com>'").get().getLogEntries())
        .extracting(e -> e.getCommitMeta().getHash())
        .as("log filtered by commit.author")
        .containsExactly(h1);
  }
}
