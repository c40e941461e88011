// Command starlight-sqlite-snapshot copies one of the embedded FerretDB's SQLite databases while
// FerretDB keeps writing to it, and checks a copy. Built by src/db/snapshot-tool.ts against
// FerretDB's own go.mod, so it links the very SQLite (modernc.org/sqlite) that FerretDB writes
// with. Answers one JSON object on stdout; errors go to stderr with a non-zero exit.
//
//	starlight-sqlite-snapshot backup <source.sqlite> <target.sqlite>
//	starlight-sqlite-snapshot check <file.sqlite>
//
// backup runs `VACUUM INTO` on a read-only connection: SQLite copies the database as one read
// transaction sees it (WAL included), so the copy is a single instant of the database — every
// commit before it, none after — however many writes run meanwhile. A plain file copy is not:
// the main file and its -wal are read at different moments, and a commit half in one is torn.
package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// FerretDB 1.x keeps each collection in a table of its own and their names in this one.
const collectionsTable = "_ferretdb_collections"

type report struct {
	SqliteVersion string           `json:"sqliteVersion"`
	Integrity     string           `json:"integrity"`
	Collections   map[string]int64 `json:"collections"`
	// When the copy's read transaction began and the copy ended (backup only).
	StartedAt  string `json:"startedAt,omitempty"`
	FinishedAt string `json:"finishedAt,omitempty"`
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "starlight-sqlite-snapshot:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 3 && args[0] == "backup":
		return backup(args[1], args[2])
	case len(args) == 2 && args[0] == "check":
		r, err := inspect(args[1])
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(r)
	default:
		return errors.New("usage: backup <source.sqlite> <target.sqlite> | check <file.sqlite>")
	}
}

// open names the file as a URI: read-only for the source (the copy never writes into the live
// database) and FerretDB's own busy timeout, so a checkpoint in progress is waited for.
func open(file string, readOnly bool) (*sql.DB, error) {
	query := url.Values{}
	query.Add("_pragma", "busy_timeout(10000)")
	if readOnly {
		query.Set("mode", "ro")
	}
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", OmitHost: true, Path: file, RawQuery: query.Encode()}).String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, db.Ping()
}

func backup(source, target string) error {
	if _, err := os.Stat(source); err != nil {
		return err
	}
	if _, err := os.Stat(target); err == nil {
		return fmt.Errorf("%s already exists", target)
	}
	db, err := open(source, true)
	if err != nil {
		return fmt.Errorf("open %s: %w", source, err)
	}
	defer db.Close()
	started := time.Now().UTC()
	if _, err := db.Exec("VACUUM INTO ?", target); err != nil {
		return fmt.Errorf("VACUUM INTO %s: %w", target, err)
	}
	finished := time.Now().UTC()
	r, err := inspect(target)
	if err != nil {
		return err
	}
	if r.Integrity != "ok" {
		return fmt.Errorf("the copy %s failed its integrity check: %s", target, r.Integrity)
	}
	r.StartedAt = started.Format(time.RFC3339Nano)
	r.FinishedAt = finished.Format(time.RFC3339Nano)
	return json.NewEncoder(os.Stdout).Encode(r)
}

// inspect answers the file's integrity check and its documents per collection.
func inspect(file string) (*report, error) {
	db, err := open(file, true)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	defer db.Close()
	r := &report{Collections: map[string]int64{}}
	if err := db.QueryRow("SELECT sqlite_version()").Scan(&r.SqliteVersion); err != nil {
		return nil, err
	}
	rows, err := db.Query("PRAGMA integrity_check")
	if err != nil {
		return nil, err
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return nil, err
		}
		problems = append(problems, line)
	}
	rows.Close()
	r.Integrity = strings.Join(problems, "; ")
	if r.Integrity != "ok" {
		return r, nil
	}
	tables, err := collectionTables(db)
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(tables) {
		var count int64
		if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM %q", tables[name])).Scan(&count); err != nil {
			return nil, fmt.Errorf("count %s: %w", name, err)
		}
		r.Collections[name] = count
	}
	return r, nil
}

func collectionTables(db *sql.DB) (map[string]string, error) {
	tables := map[string]string{}
	var exists int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", collectionsTable).Scan(&exists); err != nil {
		return nil, err
	}
	if exists == 0 {
		return tables, nil
	}
	rows, err := db.Query(fmt.Sprintf("SELECT name, table_name FROM %q", collectionsTable))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			return nil, err
		}
		tables[name] = table
	}
	return tables, rows.Err()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
