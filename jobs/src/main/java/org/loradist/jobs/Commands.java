package org.loradist.jobs;

import java.util.List;
import java.util.Optional;
import org.loradist.jobs.cli.Command;

/** The commands of the CLI, in the order the pipeline runs them. */
final class Commands {
  private Commands() {}

  static List<Command> all() {
    return List.of(new PrepJob(), new EmbedJob(), new TrainJob(), new ExportJob(), new WritebackJob(), new QueryJob(),
        new EvalJob(), new ServeJob(), new GenerateJob(), new RunJob());
  }

  static Optional<Command> find(String name) {
    return all().stream().filter(c -> c.name().equals(name)).findFirst();
  }

  static List<String> names() {
    return all().stream().map(Command::name).toList();
  }
}
