"""The order of the children of OOXML elements, as WordprocessingML's schema gives it.

Word refuses a document whose elements have their children out of order, so an element
added to one that already has children (from the reference document, or made by
python-docx) goes in through :func:`insert`, which reads the order from :data:`CHILD_ORDER`.
What the writer builds from nothing, it builds in this order as it goes.

The orders are those of the transitional schema (ECMA-376 Part 1, ``wml.xsd``): each
entry lists an element's children in the order of its ``xsd:sequence``; names joined by
``|`` form one ``xsd:choice`` and may come in any order among themselves. An entry lists
the properties of an element, not the content that follows them (the runs of a ``w:p``,
the cells of a ``w:tr``), nor the extensions of later versions of Word (``w14:docId`` at
the end of ``w:settings``): a child that its parent's entry does not name comes after
every child it names. The run properties follow the first edition, where they are a
sequence; later editions made them a choice, so that order is valid under every edition
and is the order Word writes.
"""

from __future__ import annotations

from lxml import etree

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

_PARAGRAPH_PROPERTIES = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
)
# w:ins to w:moveTo record changes to the paragraph mark; only the w:rPr inside a w:pPr has them.
_RUN_PROPERTIES = (
    "ins del moveFrom moveTo rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText "
    "vertAlign rtl cs em lang eastAsianLayout specVanish oMath rPrChange"
)

CHILD_ORDER: dict[str, str] = {
    "w:settings": (
        "writeProtection view zoom removePersonalInformation removeDateAndTime doNotDisplayPageBoundaries "
        "displayBackgroundShape printPostScriptOverText printFractionalCharacterWidth printFormsData "
        "embedTrueTypeFonts embedSystemFonts saveSubsetFonts saveFormsData mirrorMargins alignBordersAndEdges "
        "bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop hideSpellingErrors "
        "hideGrammaticalErrors activeWritingStyle proofState formsDesign attachedTemplate linkStyles "
        "stylePaneFormatFilter stylePaneSortMethod documentType mailMerge revisionView trackRevisions "
        "doNotTrackMoves doNotTrackFormatting documentProtection autoFormatOverride styleLockTheme styleLockQFSet "
        "defaultTabStop autoHyphenation consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope "
        "summaryLength clickAndTypeStyle defaultTableStyle evenAndOddHeaders bookFoldRevPrinting bookFoldPrinting "
        "bookFoldPrintingSheets drawingGridHorizontalSpacing drawingGridVerticalSpacing "
        "displayHorizontalDrawingGridEvery displayVerticalDrawingGridEvery doNotUseMarginsForDrawingGridOrigin "
        "drawingGridHorizontalOrigin drawingGridVerticalOrigin doNotShadeFormData noPunctuationKerning "
        "characterSpacingControl printTwoOnOne strictFirstAndLastChars noLineBreaksAfter noLineBreaksBefore "
        "savePreviewPicture doNotValidateAgainstSchema saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText "
        "doNotDemarcateInvalidXml saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags "
        "alwaysMergeEmptyNamespace updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids m:mathPr "
        "attachedSchema themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats doNotAutoCompressPictures "
        "forceUpgrade captions readModeInkLockDown smartTagType sl:schemaLibrary shapeDefaults doNotEmbedSmartTags "
        "decimalSymbol listSeparator"
    ),
    "w:footnotePr": "pos numFmt numStart numRestart footnote",
    "w:sectPr": (
        "headerReference|footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType pgNumType "
        "cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings sectPrChange"
    ),
    "w:style": (
        "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed qFormat locked "
        "personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr tblStylePr"
    ),
    "w:p": "pPr",
    "w:pPr": _PARAGRAPH_PROPERTIES,
    "w:r": "rPr",
    "w:rPr": _RUN_PROPERTIES,
    "w:numPr": "ilvl numId numberingChange ins",
    "w:tblPr": (
        "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing tblInd "
        "tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription tblPrChange"
    ),
    "w:tr": "tblPrEx trPr",
    "w:trPr": (
        "cnfStyle|divId|gridBefore|gridAfter|wBefore|wAfter|cantSplit|trHeight|tblHeader|tblCellSpacing|jc|hidden "
        "ins del trPrChange"
    ),
    "w:numbering": "numPicBullet abstractNum num numIdMacAtCleanup",
    "w:abstractNum": "nsid multiLevelType tmpl name styleLink numStyleLink lvl",
    "w:lvl": "start numFmt lvlRestart pStyle isLgl suff lvlText lvlPicBulletId legacy lvlJc pPr rPr",
    "w:num": "abstractNumId lvlOverride",
    "w:lvlOverride": "startOverride lvl",
}


def _ranks(order: str) -> dict[str, int]:
    """Each child's place in ``order``, children of one choice sharing theirs; names without a prefix are w:."""
    return {
        qn(name if ":" in name else f"w:{name}"): rank
        for rank, choice in enumerate(order.split())
        for name in choice.split("|")
    }


_RANKS = {qn(parent): _ranks(order) for parent, order in CHILD_ORDER.items()}


def rank(parent: etree._Element, child: etree._Element) -> float:
    """Where the schema places ``child`` among the children of ``parent``: children of
    lower rank come first, those it does not name (infinity) last."""
    return _RANKS[parent.tag].get(child.tag, float("inf"))


def insert(parent: etree._Element, child: etree._Element) -> etree._Element:
    """Insert ``child`` into ``parent`` before the first child the schema places after it; return ``child``."""
    place = rank(parent, child)
    for index, sibling in enumerate(parent):
        if rank(parent, sibling) > place:
            parent.insert(index, child)
            return child
    parent.append(child)
    return child


def get_or_insert(parent: etree._Element, tag: str) -> etree._Element:
    """The ``tag`` child of ``parent`` (a prefixed name such as ``"w:pPr"``), inserted empty if it has none."""
    child = parent.find(qn(tag))
    return child if child is not None else insert(parent, OxmlElement(tag))
