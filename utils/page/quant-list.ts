// Our own quantization list for model cards whose page shows none we can find (ModelHeader's
// ggufFilePaths say what there is): where it goes, and what each row is called. The list itself is
// the bulk bar's host with the controls slotted in (hosts/bulk-host.ts).

/**
 * The sidebar of a model card: the section after the card's own (the Hub's two-column layout),
 * found by element names rather than class names; without one, right under ModelHeader.
 */
export function sidebarSpot(doc: Document): { el: Element; inside: boolean } | null {
  for (const section of doc.querySelectorAll('main section, main aside')) {
    if (section.localName === 'aside' || section.previousElementSibling?.localName === 'section') {
      return { el: section, inside: true };
    }
  }
  const header = doc.querySelector('[data-target="ModelHeader"]');
  return header ? { el: header, inside: false } : null;
}
