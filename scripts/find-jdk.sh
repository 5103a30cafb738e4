# shellcheck shell=bash
# Finds a JDK 25 or newer and exports JAVA_HOME and PATH for it.
#
#   source scripts/find-jdk.sh    # in another script: returns 1 with a message if none is found
#   scripts/find-jdk.sh           # on its own: prints the JDK's path, or the message and exits 1
#
# Looks at $JAVA_HOME first, then the usual install folders, then the `java` on PATH. A
# folder counts when bin/java reports java.specification.version >= 25 and bin/javac exists
# (Maven needs a JDK, not a JRE).

FUSEDSTEP_MIN_JAVA=25

# Prints the major Java version of the JDK at $1 ("1.8" reads as 8), or nothing if it has no java.
_fusedstep_java_major() {
    local java="$1/bin/java" spec
    [[ -x $java ]] || return 0
    spec=$("$java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^[[:space:]]*java\.specification\.version = //p' | head -n 1) || true
    spec=${spec#1.}
    spec=${spec%%.*}
    [[ $spec =~ ^[0-9]+$ ]] && printf '%s\n' "$spec"
    return 0
}

# Candidate JDK folders, best guess first; duplicates (symlinks) are dropped by the caller.
_fusedstep_jdk_candidates() {
    local pattern d java_on_path
    [[ -n ${JAVA_HOME:-} ]] && printf '%s\n' "$JAVA_HOME"
    # Newest-looking names first within each folder, so the first hit is usually the newest JDK.
    for pattern in '/usr/lib/jvm/*' '/usr/local/lib/jvm/*' '/opt/java/*' '/opt/jdk*' \
            "${HOME:-/nonexistent}/.sdkman/candidates/java/*" \
            '/Library/Java/JavaVirtualMachines/*/Contents/Home' \
            '/opt/homebrew/opt/openjdk*/libexec/openjdk.jdk/Contents/Home'; do
        # shellcheck disable=SC2086  # the pattern must glob
        for d in $pattern; do
            [[ -d $d ]] && printf '%s\n' "$d"
        done | sort -r -V
    done
    java_on_path=$(command -v java 2>/dev/null) || true
    if [[ -n $java_on_path ]]; then
        java_on_path=$(readlink -f "$java_on_path" 2>/dev/null || printf '%s' "$java_on_path")
        printf '%s\n' "${java_on_path%/bin/java}"
    fi
}

_fusedstep_find_jdk() {
    local seen=" " found=() d real major
    while IFS= read -r d; do
        real=$(cd "$d" 2>/dev/null && pwd -P) || real=""
        if [[ -n $real ]]; then
            [[ $seen == *" $real "* ]] && continue
            seen+="$real "
            major=$(_fusedstep_java_major "$real")
        else
            major=""
        fi
        if [[ -z $major ]]; then
            # Only an explicit JAVA_HOME is worth naming when it holds no Java.
            [[ $d == "${JAVA_HOME:-}" ]] && found+=("JAVA_HOME=$d (no bin/java there)")
            continue
        fi
        if (( major >= FUSEDSTEP_MIN_JAVA )) && [[ -x $real/bin/javac ]]; then
            export JAVA_HOME="$real"
            case ":$PATH:" in
                "$JAVA_HOME/bin:"*) ;;
                *) export PATH="$JAVA_HOME/bin:$PATH" ;;
            esac
            return 0
        fi
        if (( major >= FUSEDSTEP_MIN_JAVA )); then
            found+=("$real (Java $major, a JRE without javac)")
        else
            found+=("$real (Java $major)")
        fi
    done < <(_fusedstep_jdk_candidates)
    local list="none"
    if (( ${#found[@]} > 0 )); then
        list=$(printf '%s, ' "${found[@]}")
        list=${list%, }
    fi
    printf 'fusedstep needs a JDK %s or newer (found: %s). Install one, e.g. Temurin 25 (apt install temurin-25-jdk, or https://adoptium.net), or set JAVA_HOME.\n' \
        "$FUSEDSTEP_MIN_JAVA" "$list" >&2
    return 1
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    # Run on its own.
    _fusedstep_find_jdk || exit 1
    printf '%s\n' "$JAVA_HOME"
else
    _fusedstep_find_jdk || return 1
fi
