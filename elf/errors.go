package elf

import (
	"fmt"
	"strings"
)

// Kind is the kind of a load error. Its String is the name of the
// reference's ElfError variant, which tools and the CLI report as the
// stable error name.
type Kind uint8

// Load error kinds, in the reference's order.
const (
	KindNone                      Kind = iota
	FailedToParse                      // the ELF structure is malformed; ParseKind says how
	EntrypointOutOfBounds              // e_entry is not inside .text
	InvalidEntrypoint                  // e_entry is not at an instruction boundary
	FailedToGetSection                 // a section could not be read
	UnresolvedSymbol                   // a relocation names a syscall that is not registered
	SectionNotFound                    // a required section is missing
	RelativeJumpOutOfBounds            // a pc-relative call leaves .text
	SymbolHashCollision                // two functions (or a function and a syscall) share a key
	WrongEndianess                     // not little-endian
	WrongAbi                           // EI_OSABI is not ELFOSABI_NONE
	WrongMachine                       // e_machine is not EM_BPF or EM_SBPF
	WrongClass                         // not ELFCLASS64
	NotOneTextSection                  // zero or several .text sections
	WritableSectionNotSupported        // .bss or writable .data
	AddressOutsideLoadableSection      // a relocation points outside every loadable section
	InvalidVirtualAddress              // a relocation refers to address 0
	UnknownRelocation                  // a relocation type the loader does not know
	FailedToReadRelocationInfo         // the relocation table cannot be read
	WrongType                          // e_type is not ET_DYN
	UnknownSymbol                      // a relocation names a symbol that does not exist
	ValueOutOfBounds                   // an offset or value lies outside the file or the memory map
	UnsupportedSBPFVersion             // e_flags names a version that is not enabled
	InvalidProgramHeader               // a program header is inconsistent
)

var kindNames = [...]string{
	KindNone:                      "None",
	FailedToParse:                 "FailedToParse",
	EntrypointOutOfBounds:         "EntrypointOutOfBounds",
	InvalidEntrypoint:             "InvalidEntrypoint",
	FailedToGetSection:            "FailedToGetSection",
	UnresolvedSymbol:              "UnresolvedSymbol",
	SectionNotFound:               "SectionNotFound",
	RelativeJumpOutOfBounds:       "RelativeJumpOutOfBounds",
	SymbolHashCollision:           "SymbolHashCollision",
	WrongEndianess:                "WrongEndianess",
	WrongAbi:                      "WrongAbi",
	WrongMachine:                  "WrongMachine",
	WrongClass:                    "WrongClass",
	NotOneTextSection:             "NotOneTextSection",
	WritableSectionNotSupported:   "WritableSectionNotSupported",
	AddressOutsideLoadableSection: "AddressOutsideLoadableSection",
	InvalidVirtualAddress:         "InvalidVirtualAddress",
	UnknownRelocation:             "UnknownRelocation",
	FailedToReadRelocationInfo:    "FailedToReadRelocationInfo",
	WrongType:                     "WrongType",
	UnknownSymbol:                 "UnknownSymbol",
	ValueOutOfBounds:              "ValueOutOfBounds",
	UnsupportedSBPFVersion:        "UnsupportedSBPFVersion",
	InvalidProgramHeader:          "InvalidProgramHeader",
}

// String returns the reference's variant name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ParseKind is the reference's ElfParserError variant behind an error of
// the structural parser. The reference reports most of them as
// FailedToParse; OutOfBounds becomes ValueOutOfBounds and
// InvalidProgramHeader stays InvalidProgramHeader.
type ParseKind uint8

// Parser error kinds.
const (
	ParseNone                  ParseKind = iota
	InvalidFileHeader                    // the file header is inconsistent or unsupported
	InvalidProgramHeaderParse            // ElfParserError::InvalidProgramHeader
	InvalidSectionHeader                 // a section header is inconsistent or unsupported
	InvalidString                        // a name is not valid
	StringTooLong                        // a section or symbol name exceeds its limit
	OutOfBounds                          // an index or range exceeds its bounds
	InvalidSize                          // a table's size is not a multiple of its entry size
	Overlap                              // headers, tables or sections overlap in the file
	SectionNotInOrder                    // sections are not in ascending file order
	NoSectionNameStringTable             // e_shstrndx names no section
	InvalidDynamicSectionTable           // the dynamic table is inconsistent
	InvalidRelocationTable               // the relocation table is inconsistent
	InvalidAlignment                     // a table is not 8-byte aligned in the file
	NoStringTable                        // no .strtab
	NoDynamicStringTable                 // no .dynstr
)

var parseKindNames = [...]string{
	ParseNone:                  "None",
	InvalidFileHeader:          "InvalidFileHeader",
	InvalidProgramHeaderParse:  "InvalidProgramHeader",
	InvalidSectionHeader:       "InvalidSectionHeader",
	InvalidString:              "InvalidString",
	StringTooLong:              "StringTooLong",
	OutOfBounds:                "OutOfBounds",
	InvalidSize:                "InvalidSize",
	Overlap:                    "Overlap",
	SectionNotInOrder:          "SectionNotInOrder",
	NoSectionNameStringTable:   "NoSectionNameStringTable",
	InvalidDynamicSectionTable: "InvalidDynamicSectionTable",
	InvalidRelocationTable:     "InvalidRelocationTable",
	InvalidAlignment:           "InvalidAlignment",
	NoStringTable:              "NoStringTable",
	NoDynamicStringTable:       "NoDynamicStringTable",
}

// the reference's Display text of each parser error
var parseKindText = [...]string{
	InvalidFileHeader:          "invalid file header",
	InvalidProgramHeaderParse:  "invalid program header",
	InvalidSectionHeader:       "invalid section header",
	InvalidString:              "invalid string",
	OutOfBounds:                "value out of bounds",
	InvalidSize:                "invalid size",
	Overlap:                    "values overlap",
	SectionNotInOrder:          "sections not in ascending order",
	NoSectionNameStringTable:   "no section name string table found",
	InvalidDynamicSectionTable: "invalid dynamic section table",
	InvalidRelocationTable:     "invalid relocation table",
	InvalidAlignment:           "invalid alignment",
	NoStringTable:              "no string table",
	NoDynamicStringTable:       "no dynamic string table",
}

// String returns the reference's ElfParserError variant name.
func (k ParseKind) String() string {
	if int(k) < len(parseKindNames) {
		return parseKindNames[k]
	}
	return fmt.Sprintf("ParseKind(%d)", uint8(k))
}

// Error is a load error. Kind is always set; the other fields carry the
// variant's data and where in the file the problem was found.
type Error struct {
	Kind Kind
	// Parse is the parser error behind FailedToParse, and behind
	// ValueOutOfBounds or InvalidProgramHeader when the structural parser
	// raised them.
	Parse ParseKind
	// Name is the section or symbol name of FailedToGetSection,
	// UnresolvedSymbol, SectionNotFound, WritableSectionNotSupported and
	// StringTooLong (for StringTooLong, the bytes read before the limit).
	Name string
	// Value is the variant's number: the instruction index of
	// UnresolvedSymbol and RelativeJumpOutOfBounds, the key of
	// SymbolHashCollision, the address of AddressOutsideLoadableSection and
	// InvalidVirtualAddress, the type of UnknownRelocation, the symbol
	// index of UnknownSymbol, the limit of StringTooLong.
	Value uint64
	// Offset is the file offset the error refers to, when HasOffset.
	Offset    uint64
	HasOffset bool
	// Detail says what exactly was wrong, beyond the reference's message.
	Detail string
}

// Error formats the reference's message, followed by the detail.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("elf: ")
	switch e.Kind {
	case FailedToParse:
		b.WriteString("Failed to parse ELF file: ")
		if e.Parse == StringTooLong {
			fmt.Fprintf(&b, "Section or symbol name `%s` is longer than `%d` bytes", lossy(e.Name), e.Value)
		} else if int(e.Parse) < len(parseKindText) && parseKindText[e.Parse] != "" {
			b.WriteString(parseKindText[e.Parse])
		} else {
			b.WriteString(e.Parse.String())
		}
	case EntrypointOutOfBounds:
		b.WriteString("Entrypoint out of bounds")
	case InvalidEntrypoint:
		b.WriteString("Invalid entrypoint")
	case FailedToGetSection:
		fmt.Fprintf(&b, "Failed to get section %s", lossy(e.Name))
	case UnresolvedSymbol:
		fmt.Fprintf(&b, "Unresolved symbol (%s) at instruction #%d (ELF file offset %#x)", lossy(e.Name), e.Value, e.Offset)
	case SectionNotFound:
		fmt.Fprintf(&b, "Section not found: %s", lossy(e.Name))
	case RelativeJumpOutOfBounds:
		fmt.Fprintf(&b, "Relative jump out of bounds at instruction #%d", e.Value)
	case SymbolHashCollision:
		fmt.Fprintf(&b, "Symbol hash collision %#x", e.Value)
	case WrongEndianess:
		b.WriteString("Incompatible ELF: wrong endianess")
	case WrongAbi:
		b.WriteString("Incompatible ELF: wrong ABI")
	case WrongMachine:
		b.WriteString("Incompatible ELF: wrong machine")
	case WrongClass:
		b.WriteString("Incompatible ELF: wrong class")
	case NotOneTextSection:
		b.WriteString("Multiple or no text sections, consider removing llc option: -function-sections")
	case WritableSectionNotSupported:
		fmt.Fprintf(&b, "Found writable section (%s) in ELF, read-write data not supported", lossy(e.Name))
	case AddressOutsideLoadableSection:
		fmt.Fprintf(&b, "Relocation failed, no loadable section contains virtual address %#x", e.Value)
	case InvalidVirtualAddress:
		fmt.Fprintf(&b, "Relocation failed, invalid referenced virtual address %#x", e.Value)
	case UnknownRelocation:
		fmt.Fprintf(&b, "Relocation failed, unknown type %d", e.Value)
	case FailedToReadRelocationInfo:
		b.WriteString("Failed to read relocation info")
	case WrongType:
		b.WriteString("Incompatible ELF: wrong type")
	case UnknownSymbol:
		fmt.Fprintf(&b, "Unknown symbol with index %d", e.Value)
	case ValueOutOfBounds:
		b.WriteString("Offset or value is out of bounds")
	case UnsupportedSBPFVersion:
		b.WriteString("Detected sbpf_version required by the executable which are not enabled")
	case InvalidProgramHeader:
		b.WriteString("Invalid ELF program header")
	default:
		b.WriteString(e.Kind.String())
	}
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	return b.String()
}

// Is reports whether target is an *Error of the same Kind (and, when the
// target sets one, the same Parse kind), so callers can test
// errors.Is(err, &elf.Error{Kind: elf.WrongMachine}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Kind == e.Kind && (t.Parse == ParseNone || t.Parse == e.Parse)
}

// lossy renders name bytes as text, replacing invalid UTF-8 as the
// reference's from_utf8_lossy does.
func lossy(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// parseError is an error of the structural parser, before it is mapped to
// a Kind the way the reference's From<ElfParserError> maps it.
func parseError(p ParseKind, off uint64, hasOff bool, format string, args ...any) *Error {
	k := FailedToParse
	switch p {
	case OutOfBounds:
		k = ValueOutOfBounds
	case InvalidProgramHeaderParse:
		k = InvalidProgramHeader
	}
	return &Error{Kind: k, Parse: p, Offset: off, HasOffset: hasOff, Detail: fmt.Sprintf(format, args...)}
}

// errAt builds a load error about the file offset off.
func errAt(k Kind, off uint64, format string, args ...any) *Error {
	return &Error{Kind: k, Offset: off, HasOffset: true, Detail: fmt.Sprintf(format, args...)}
}

// errf builds a load error with no particular offset.
func errf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Detail: fmt.Sprintf(format, args...)}
}
