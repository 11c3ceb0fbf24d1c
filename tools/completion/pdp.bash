# bash completion for pdp(1). Installed as
# share/bash-completion/completions/pdp; source it by hand otherwise.
_pdp()
{
	local cur prev verb opts
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "compile lint decide explain audit replay
			test diff report inspect keygen verify
			version help --help --version" -- "$cur"))
		return
	fi
	verb=${COMP_WORDS[1]}
	case $prev in
	--format)
		case $verb in
		lint|diff) COMPREPLY=($(compgen -W "text json sarif" -- "$cur")) ;;
		test) COMPREPLY=($(compgen -W "text json junit" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		esac
		return ;;
	--operation)
		COMPREPLY=($(compgen -W "create retrieve update delete notify
			discover" -- "$cur"))
		return ;;
	--dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--fail-on)
		COMPREPLY=($(compgen -W "widen" -- "$cur"))
		return ;;
	--subject|--acp|--acps|--role|--roles)
		return ;;
	--type)
		COMPREPLY=($(compgen -W "container contentInstance flexContainer
			AE remoteCSE group subscription accessControlPolicy" -- "$cur"))
		return ;;
	esac
	case $verb in
	compile) opts="-o --output --dump --format --revision --sign --help
		--version" ;;
	lint) opts="--format --werror --help --version" ;;
	decide) opts="-p --policy -i --image --json --no-clock --jsonl --log
		--help --version" ;;
	explain) opts="-p --policy -i --image --json --no-clock --jsonl
		--help --version" ;;
	verify) opts="--key --min-revision --help" ;;
	inspect|keygen) opts="--help" ;;
	audit) opts="-p --policy -i --image --subject --roles --type --acps --attrs --who --acp
		--operation --role --constraints --unconditional-only --role-sets --json
		--help --version" ;;
	replay) opts="-p --policy --dir --json --no-clock --help --version" ;;
	test) opts="--format --help" ;;
	diff) opts="--format --fail-on --help" ;;
	report) opts="-p -i --html --help" ;;
	*) opts="" ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o filenames -F _pdp pdp
