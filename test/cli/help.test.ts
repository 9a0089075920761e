import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('help and version', () => {
  it('rollouts --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatchInlineSnapshot(`
      "Usage: rollouts [options] [command]

      Record, list, read and snapshot coding-agent sessions (Codex-compatible JSONL
      rollouts).

      Options:
        -V, --version                    print the version
        --debug                          print stack traces of errors
        -h, --help                       show help

      Commands:
        ls [options]                     list sessions, newest first, a page at a time
        pick [options]                   choose a session in a full-screen list;
                                         prints its id (or runs --exec with it)
        search [options] <text>          find sessions whose user or assistant
                                         messages (or name) contain TEXT
        show [options] <session>         print a session as a readable transcript
        validate [options] [files...]    check rollout files against the format;
                                         prints every problem as file:line: message
        archive [options] <session>      move a session to archived_sessions/ (kept,
                                         hidden from ls)
        unarchive [options] <session>    move an archived session back to its date
                                         folder
        delete [options] <session>       delete a session's rollout and its snapshots
                                         (asks first on a terminal)
        name [options] <session> <name>  name a session as the Codex CLI does (codex
                                         resume and ls show it)
        export [options] [session]       write sessions as JSON Lines, one
                                         {"type":"session",…} per session, streaming
        hf                               Hugging Face datasets of your sessions
        snapshot [options] [workspace]   capture the workspace as the snapshot of one
                                         message (the hook entry point); prints the
                                         commit
        snapshots [options] [workspace]  list a workspace's snapshots, oldest first
        restore [options] [workspace]    write a snapshot into a new folder, or rewind
                                         the workspace to it
        diff [options] [workspace]       what changed between two snapshots, or
                                         between a snapshot and the workspace now
        push [options] [workspace]       push snapshots to an archive remote as
                                         annotated tags (the workspace's stored remote
                                         unless --remote; tags already there are
                                         skipped)
        fork [options] <session>         write a new session holding this one up to a
                                         message (codex resume <new id> resumes it)
        rewind [options] <session>       rewind the workspace to a message's snapshot
                                         and go on from that message in a fork
        undo [options]                   undo the last "rollouts rewind": the
                                         workspace back as it was, the fork removed
        remote                           the archive remote of each workspace, where
                                         push sends its snapshots
        import [options]                 write another agent's stored sessions as
                                         rollouts (again: only what is new)
        view [options]                   browse sessions in a web browser: a local
                                         viewer on 127.0.0.1, until Ctrl-C
        index [options]                  show the session index (search and fast
                                         listings), or bring it up to date
        help [command]                   show help for a command
      "
    `);
  });

  it('no arguments prints the same help', async () => {
    expect((await cli([])).out).toBe((await cli(['--help'])).out);
  });

  it('rollouts --version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it('rollouts ls --help', async () => {
    expect((await cli(['ls', '--help'])).out).toMatchInlineSnapshot(`
      "Usage: rollouts ls [options]

      list sessions, newest first, a page at a time

      Options:
        --home <dir>       the home to list (default: $CODEX_HOME or ~/.codex)
        --limit <n>        sessions per page (default: "25")
        --cursor <cursor>  continue after the page that printed this cursor
        --sort <key>       order by creation or last update (choices: "created",
                           "updated", default: "created")
        --source <source>  only sessions from this source (repeatable; default: cli
                           and vscode)
        --provider <id>    only sessions of this model provider (repeatable)
        --cwd <dir>        only sessions whose working folder is this one (repeatable)
        --since <date>     created at or after (2026-11-21, 2026-11-21T10:00Z, 7d,
                           12h, yesterday)
        --until <date>     created at or before (a bare date or today includes the
                           whole day)
        --search <text>    case-insensitive text in any user or assistant message, or
                           the name
        --archived         list archived sessions instead of live ones
        --all-sources      sessions from every source (exec, mcp, sub-agents, …)
        --width <n>        cut rows to n columns (default: the terminal's; a pipe is
                           not cut)
        --json             JSON Lines: {"type":"session",…} per session, then
                           {"type":"page",…}
        -i, --interactive  choose a session in the full-screen picker (as rollouts
                           pick)
        -h, --help         show help
      "
    `);
  });

  it('rollouts pick --help', async () => {
    expect((await cli(['pick', '--help'])).out).toMatchInlineSnapshot(`
      "Usage: rollouts pick [options]

      choose a session in a full-screen list; prints its id (or runs --exec with it)

      Options:
        --home <dir>       the home to list (default: $CODEX_HOME or ~/.codex)
        --sort <key>       start ordered by creation or last update (Tab toggles)
                           (choices: "created", "updated", default: "created")
        --cwd <dir>        list the sessions of this folder (default: the current one)
        --all              start with the sessions of every folder (Ctrl-A toggles)
        --search <text>    start with this search
        --exec <command>   run this command with the chosen id for {} (e.g. 'codex
                           resume {}')
        --archived         pick among archived sessions
        --source <source>  only sessions from this source (repeatable; default: cli
                           and vscode)
        --all-sources      sessions from every source (exec, mcp, sub-agents, …)
        -h, --help         show help

      Keys:
        typing        search (Backspace, Ctrl-W, Ctrl-U edit it)
        Up/Down       move (also Ctrl-P/Ctrl-N); PgUp/PgDn a page; Home/End the ends
        Enter         print the chosen id (or run --exec with it)
        Tab           sort by creation or by last update
        Ctrl-A        this folder's sessions or every folder's
        Esc           clear the search; quit when it is empty (status 130)
        Ctrl-C        quit (status 130)
      Without a terminal it refuses (status 2): use rollouts ls in scripts.
      "
    `);
  });

  it('rollouts show --help', async () => {
    expect((await cli(['show', '--help'])).out).toMatchInlineSnapshot(`
      "Usage: rollouts show [options] <session>

      print a session as a readable transcript

      Arguments:
        session            a session id, a unique id prefix (8+ hex digits), or a
                           rollout file

      Options:
        --home <dir>       the home to look in (default: $CODEX_HOME or ~/.codex)
        --json             the parsed lines as JSON Lines, one record per line, its
                           "type" the line type
        --raw              the lines as stored, byte for byte: NOT made safe for a
                           terminal (control characters are sent as they are)
        --full             tool calls, outputs and reasoning in full (default: the
                           first lines, cut)
        --format <format>  text: for a terminal; md: a Markdown document; html: one
                           self-contained HTML file (choices: "text", "md", "html",
                           default: "text")
        --out <file>       with --format md|html: the file to write (default, or -:
                           standard output)
        --force            replace --out if it exists (never a symbolic link, never
                           inside the home)
        --at <line>        start at this line of the file (the line \`rollouts search\`
                           prints)
        -h, --help         show help
      "
    `);
  });

  it('rollouts snapshot --help', async () => {
    expect((await cli(['snapshot', '--help'])).out).toMatchInlineSnapshot(`
      "Usage: rollouts snapshot [options] [workspace]

      capture the workspace as the snapshot of one message (the hook entry point);
      prints the commit

      Arguments:
        workspace          the workspace folder (default: the current folder)

      Options:
        --session <id>     the session id
        --message <id>     the message id
        --new-session      allow a session that is not in the home yet (--session must
                           then be a full UUID)
        --metadata <json>  a JSON object stored with the snapshot
        --replace          take the snapshot again if this message has one
        --include <glob>   capture only paths matching the glob (relative to the
                           workspace; a folder covers its files; repeatable)
        --exclude <glob>   leave out paths matching the glob (wins over --include;
                           repeatable)
        --home <dir>       the home holding the stores (default: $CODEX_HOME or
                           ~/.codex)
        -h, --help         show help
      "
    `);
  });

  it('rollouts restore --help', async () => {
    expect((await cli(['restore', '--help'])).out).toMatchInlineSnapshot(`
      "Usage: rollouts restore [options] [workspace]

      write a snapshot into a new folder, or rewind the workspace to it

      Arguments:
        workspace       the workspace folder (default: the current folder)

      Options:
        --session <id>  the session id
        --message <id>  the message id
        --dest <dir>    a new folder to write the snapshot into
        --in-place      rewind the workspace itself (everything it replaces is backed
                        up first; restoring the backup undoes it)
        --repo <url>    restore from an archive remote (what push made) instead of a
                        local store; needs --dest
        --home <dir>    the home holding the stores (default: $CODEX_HOME or ~/.codex)
        -h, --help      show help
      "
    `);
  });

  it('rollouts export --help', async () => {
    expect((await cli(['export', '--help'])).out).toMatchInlineSnapshot(`
      "Usage: rollouts export [options] [session]

      write sessions as JSON Lines, one {"type":"session",…} per session, streaming

      Arguments:
        session            export only this session (an id, an id prefix or a rollout
                           file)

      Options:
        --out <file>       the file to write (default, or -: standard output); with
                           --format md|html, the folder (made if missing)
        --force            replace --out if it exists (never a symbolic link, never
                           inside the home)
        --home <dir>       the home to export (default: $CODEX_HOME or ~/.codex)
        --since <date>     only sessions created at or after (2026-11-21, 7d, …)
        --until <date>     only sessions created at or before (a bare date includes
                           the day)
        --search <text>    only sessions with this text (any case) in a user or
                           assistant message, or the name
        --cwd <dir>        only sessions whose working folder is this one (repeatable)
        --archived         export archived sessions instead of live ones
        --full             with --format md|html: tool outputs in full (default: long
                           ones cut, with a note)
        --format <format>  envelope: the raw lines; chat: chat messages with tool
                           calls; openai: OpenAI fine-tuning rows; trl: TRL
                           conversational rows; md, html: one transcript file per
                           session and an index page (choices: "envelope", "chat",
                           "openai", "trl", "md", "html", default: "envelope")
        --parquet          write one Parquet file (needs --out; implied by --out
                           x.parquet)
        --redact           replace secrets with [REDACTED:<kind>] in text, tool
                           arguments and outputs
        --diffs            give each snapshotted turn the patch it made (openai, trl,
                           chat, envelope rows)
        -h, --help         show help

      Every source is exported (cli, vscode, exec, mcp, sub-agents): no --all-sources needed.
      "
    `);
  });

  it('rollouts hf push --help', async () => {
    const r = await cli(['hf', 'push', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatchInlineSnapshot(`
      "Usage: rollouts hf push [options]

      append new or changed sessions to a Hugging Face dataset (train.jsonl) as a new
      batch, with its card

      Options:
        --name <[ns/]dataset>  the dataset; without a namespace, the token owner’s
        --private              create the dataset private (default: public; an
                               existing one keeps its visibility)
        --format <format>      the format of each row’s session (choices: "openai",
                               "trl", "envelope", default: "openai")
        --home <dir>           the home to push (default: $CODEX_HOME or ~/.codex)
        --since <date>         only sessions created at or after
        --until <date>         only sessions created at or before
        --search <text>        only sessions with this text (any case) in a user or
                               assistant message, or the name
        --cwd <dir>            only sessions whose working folder is this one
                               (repeatable)
        --archived             push archived sessions instead of live ones
        --no-redact            keep secrets: in the rows, and in the snapshots pushed
                               first (by default each is replaced by
                               [REDACTED:<kind>])
        --diffs                give each snapshotted turn the patch it made
        --remote <url>         the archive remote the snapshots are pushed to first
                               (rows name it)
        --hub-url <url>        the Hub (default: $HF_ENDPOINT, else
                               https://huggingface.co)
        -h, --help             show help

      The token: $HF_TOKEN, else the one \`hf auth login\` saved (~/.cache/huggingface/token).
      "
    `);
  });

  it.each([
    'validate',
    'snapshots',
    'diff',
    'push',
    'archive',
    'unarchive',
    'delete',
    'name',
    'fork',
    'rewind',
    'undo',
  ])('rollouts %s --help exits 0 with usage', async (cmd) => {
    const r = await cli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Usage: rollouts ${cmd} `));
  });
});
