# shellcheck shell=bash
# pack_workspaces DEST WORKSPACE...: `npm pack` each workspace (a folder such as
# packages/plugin-api, already built) into DEST and print the tarballs' paths, one a line, in
# the order given. Source it from a script that runs from the repository root.
pack_workspaces() {
  local dest=$1
  shift
  mkdir -p "$dest"
  local workspace file
  for workspace in "$@"; do
    # --json names the tarball npm wrote (its name is derived from the package's name and version).
    file=$(npm pack --silent --json --pack-destination "$dest" --workspace "$workspace" | node -e '
      let text = "";
      process.stdin.on("data", (c) => (text += c)).on("end", () => console.log(JSON.parse(text)[0].filename));
    ')
    printf '%s\n' "$dest/$file"
  done
}
